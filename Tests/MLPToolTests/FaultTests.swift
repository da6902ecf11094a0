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
        #expect(FolderSnapshot(scene.folder) == before, "\(arguments) changed the folder", sourceLocation: sourceLocation)
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
}
