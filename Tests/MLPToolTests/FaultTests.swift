import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The fault suite: the tool used as a hostile user would, one test per class of defect of
/// issue 11, several instances each. Every case asserts the exit status, the exact one-line
/// error, and that the files, links, nodes and folders around it are byte for byte as before
/// (``FolderSnapshot``); memory cases bound the child's peak RSS and no-hang cases its time.
@Suite struct FaultTests {
    /// A fresh folder with a small CSV (two features, three classes) in it.
    final class Scene: @unchecked Sendable {
        let folder: String
        init() throws {
            folder = try makeTemporaryFolder().path
            try URL(fileURLWithPath: folder + "/data.csv").write(blobsCSV(count: 30))
        }
        func path(_ name: String) -> String { folder + "/" + name }
        deinit { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Runs `arguments` and checks status, the exact standard error, and that the folder is unchanged.
    static func expectRefused(_ scene: Scene, _ arguments: [String], error: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = FolderSnapshot(scene.folder)
        let run = try measuredRun(arguments, timeout: 30)
        #expect(run.exitStatus == 1, "\(arguments): \(run.standardError)", sourceLocation: sourceLocation)
        #expect(run.standardError == "Error: " + error + "\n", sourceLocation: sourceLocation)
        let after = FolderSnapshot(scene.folder)
        #expect(after == before, "\(arguments) changed \(after.differences(from: before))", sourceLocation: sourceLocation)
    }

    // MARK: 1. Saving replaces only what it may

    @Test func savingReplacesOnlyRegularFilesAndNeverAnInput() throws {
        let scene = try Scene()
        let train = ["train", "--data", scene.path("data.csv"), "--layers", "2,4,3", "--epochs", "1"]
        #expect(try measuredRun(train + ["--save", scene.path("model.st")]).exitStatus == 0)
        chmod(scene.path("model.st"), 0o600)
        symlink("model.st", scene.path("link.st"))
        symlink("nothing", scene.path("dangling.st"))
        mkfifo(scene.path("pipe"), 0o644)
        mkdir(scene.path("folder.st"), 0o755)
        if isRoot {
            mknod(scene.path("null"), S_IFCHR | 0o666, dev_t((1 << 8) | 3))  // a copy of /dev/null's node
            symlink("null", scene.path("device-link"))
        }
        let p = scene.path
        try Self.expectRefused(scene, train + ["--save", p("data.csv")],
                               error: "--save \(p("data.csv")): is an input of this run; not overwritten (choose another output file)")
        try Self.expectRefused(scene, train + ["--init", p("model.st"), "--save", p("link.st")],
                               error: "--save \(p("link.st")): is an input of this run; not overwritten (choose another output file)")
        try Self.expectRefused(scene, train + ["--save", p("pipe")], error: "--save \(p("pipe")): a FIFO, not a regular file; left as it is")
        try Self.expectRefused(scene, train + ["--plot", p("folder.st")], error: "--plot \(p("folder.st")): a folder, not a regular file; left as it is")
        try Self.expectRefused(scene, train + ["--plot-boundary", p("dangling.st")],
                               error: "--plot-boundary \(p("dangling.st")): a symbolic link to nothing, not a regular file; left as it is")
        if isRoot {
            try Self.expectRefused(scene, train + ["--save", p("null")], error: "--save \(p("null")): a character device, not a regular file; left as it is")
            try Self.expectRefused(scene, train + ["--plot", p("device-link")],
                                   error: "--plot \(p("device-link")): a character device, not a regular file; left as it is")
        }

        // Through the link: the link stays, the file it names is replaced and keeps mode 0600;
        // a killed writer's temporary file goes, a live writer's (locked) one stays.
        let stale = p(".model.st.tmp-AbC123"), live = p(".model.st.tmp-XyZ789")
        try URL(fileURLWithPath: stale).write("left by a killed save")
        try URL(fileURLWithPath: live).write("being written")
        let liveDescriptor = open(live, O_RDONLY)
        defer { close(liveDescriptor) }
        #expect(flock(liveDescriptor, LOCK_EX) == 0)
        let oldModel = try contentsOfFile(URL(fileURLWithPath: p("model.st")))
        var before = FolderSnapshot(scene.folder, skipping: ["model.st", ".model.st.tmp-AbC123"])
        let run = try measuredRun(train + ["--seed", "2", "--save", p("link.st")])
        #expect(run.exitStatus == 0, "\(run.standardError)")
        #expect(FolderSnapshot(scene.folder, skipping: ["model.st"]) == before)
        #expect(!FileManager.default.fileExists(atPath: stale))
        var status = stat()
        #expect(lstat(p("model.st"), &status) == 0 && status.st_mode & 0o7777 == 0o600 && status.st_mode & S_IFMT == S_IFREG)
        #expect(try contentsOfFile(URL(fileURLWithPath: p("model.st"))) != oldModel)
        // A new file gets 0644.
        before = FolderSnapshot(scene.folder)
        #expect(try measuredRun(train + ["--save", p("new.st")]).exitStatus == 0)
        #expect(stat(p("new.st"), &status) == 0 && status.st_mode & 0o7777 == 0o644)
        before.entries["new.st"] = FolderSnapshot(scene.folder).entries["new.st"]
        #expect(FolderSnapshot(scene.folder) == before)
    }

    // MARK: 2. The checkpoint folder owns only what it wrote

    @Test func theCheckpointFolderRemovesOnlyItsOwnFilesAndIsLocked() throws {
        let scene = try Scene()
        let p = scene.path
        let run = ["train", "--layers", "2,8,2", "--seed", "3", "--backend", "swift", "--threads", "1"]
        #expect(try measuredRun(run + ["--epochs", "1", "--checkpoint", p("run")]).exitStatus == 0)
        // The user's things inside the folder, and a folder outside it that links point to.
        mkdir(p("outside"), 0o755)
        for name in ["model.safetensors", "optimizer.safetensors", "manifest.json"] { try URL(fileURLWithPath: p("outside/" + name)).write("mine") }
        mkdir(p("run/epoch-2019-photos"), 0o755)
        try URL(fileURLWithPath: p("run/epoch-2019-photos/beach.jpg")).write("a photo")
        symlink("../outside", p("run/epoch-9"))
        symlink("../outside", p("run/.epoch-6.partial"))
        mkdir(p("run/epoch-8"), 0o755)
        try URL(fileURLWithPath: p("run/epoch-8/manifest.json")).write("{}")
        try URL(fileURLWithPath: p("run/epoch-8/notes.txt")).write("my notes")
        let user = ["outside", "run/epoch-2019-photos", "run/epoch-2019-photos/beach.jpg", "run/epoch-9", "run/.epoch-6.partial",
                    "run/epoch-8", "run/epoch-8/manifest.json", "run/epoch-8/notes.txt", "outside/model.safetensors",
                    "outside/optimizer.safetensors", "outside/manifest.json", "data.csv"]
        let before = FolderSnapshot(scene.folder).entries.filter { user.contains($0.key) }
        #expect(before.count == user.count)

        // Two more epochs: each removes the previous checkpoint, and only that.
        let resumed = try measuredRun(run + ["--epochs", "3", "--resume", p("run")])
        #expect(resumed.exitStatus == 0, "\(resumed.standardError)")
        #expect(FolderSnapshot(scene.folder).entries.filter { user.contains($0.key) } == before)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: p("run")))
        #expect(names == ["latest", "epoch-3", ".lock", "epoch-2019-photos", "epoch-9", ".epoch-6.partial", "epoch-8"])

        // A folder holding a checkpoint this run cannot read is not replaced: a newer version, a broken link.
        try FileManager.default.copyItem(atPath: p("run"), toPath: p("newer"))
        let manifest = p("newer/epoch-3/manifest.json")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try URL(fileURLWithPath: manifest).write(text.replacingOccurrences(of: "\"version\":1", with: "\"version\":2"))
        try Self.expectRefused(scene, run + ["--epochs", "1", "--checkpoint", p("newer")],
                               error: "--checkpoint \(p("newer")) holds a checkpoint this run cannot read (\(manifest): expected \"version\": 1); "
                                   + "it is left as it is: choose another folder")
        mkdir(p("broken"), 0o755)
        symlink("epoch-4", p("broken/latest"))
        try Self.expectRefused(scene, run + ["--epochs", "1", "--checkpoint", p("broken")],
                               error: "--checkpoint \(p("broken")) holds a checkpoint this run cannot read "
                                   + "(\(p("broken/epoch-4/manifest.json")): \(p("broken/epoch-4/manifest.json")): no such file); "
                                   + "it is left as it is: choose another folder")
        // --resume A --checkpoint B, where B holds another run's checkpoint.
        let otherRun = ["train", "--layers", "2,8,2", "--seed", "4", "--backend", "swift", "--threads", "1"]
        #expect(try measuredRun(otherRun + ["--epochs", "1", "--checkpoint", p("other")]).exitStatus == 0)
        try Self.expectRefused(scene, run + ["--epochs", "4", "--resume", p("run"), "--checkpoint", p("other")],
                               error: "--checkpoint \(p("other")) holds another run's checkpoint: seed differs: the checkpoint has '4', "
                                   + "this run '3' (a resumed run needs the options it was started with)")

        // Two runs on one folder: the second is refused while the first holds the lock.
        let first = try StartedTool(run + ["--epochs", "100000", "--checkpoint", p("busy")])
        let deadline = Date().addingTimeInterval(30)
        while !(try first.standardError()).contains("training "), Date() < deadline { usleep(20_000) }
        for second in [run + ["--epochs", "1", "--checkpoint", p("busy")], run + ["--epochs", "100000", "--resume", p("busy")]] {
            let refused = try measuredRun(second, timeout: 30)
            #expect(refused.exitStatus == 1)
            #expect(refused.standardError == "Error: \(second[second.count - 2]) \(p("busy")): another run is using this checkpoint folder (its .lock is locked)\n"
                    || refused.standardError.hasPrefix("Error: --resume \(p("busy")): no checkpoint here"), "\(refused.standardError)")
        }
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
    }
}
