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
    static func expectRefused(_ scene: Scene, _ arguments: [String], error: String, within seconds: Double = 30,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = FolderSnapshot(scene.folder)
        let run = try measuredRun(arguments, timeout: 2 * seconds)
        #expect(run.seconds < seconds, "\(arguments) took \(run.seconds) s", sourceLocation: sourceLocation)
        #expect(run.exitStatus == 1, "\(arguments): \(run.standardError)", sourceLocation: sourceLocation)
        #expect(run.standardError == "Error: " + error + "\n", sourceLocation: sourceLocation)
        let after = FolderSnapshot(scene.folder)
        #expect(after == before, "\(arguments) changed \(after.differences(from: before))", sourceLocation: sourceLocation)
    }

    /// ``expectRefused(_:_:error:within:sourceLocation:)`` for each (arguments, error) pair.
    static func expectRefused(_ scene: Scene, cases: [([String], String)], within seconds: Double,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (arguments, error) in cases {
            try expectRefused(scene, arguments, error: error, within: seconds, sourceLocation: sourceLocation)
        }
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
        // What a run killed while writing epoch 2 leaves: its partial folder with a temporary file.
        mkdir(p("run/.epoch-2.partial"), 0o755)
        try URL(fileURLWithPath: p("run/.epoch-2.partial/.model.safetensors.tmp-Ab12Cd")).write("half a model")
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

    // MARK: 3. Numbers from files and flags never trap

    @Test func sizesFromFilesAndFlagsAreCheckedNotTrapped() throws {
        let scene = try Scene()
        let p = scene.path
        // A model whose metadata says maxout with 2^40 outputs of 2^40 pieces (one tensor, 8 bytes).
        let architecture = #"{\"layers\":[{\"kind\":\"maxout\",\"inputSize\":2,\"outputSize\":1099511627776,\"pieces\":1099511627776},"#
            + #"{\"kind\":\"dense\",\"inputSize\":1099511627776,\"outputSize\":3,\"activation\":\"softmax\"}],\"loss\":\"cross-entropy\"}"#
        try writeSafeTensors(p("maxout.st"), header: #"{"__metadata__":{"architecture":""# + architecture
                             + #""},"layers.0.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#, dataBytes: 8)
        let overflow = "\(p("maxout.st")): metadata 'architecture': the layers' parameter count overflows a 64-bit integer"
        for arguments in [["info", p("maxout.st")], ["evaluate", "--model", p("maxout.st"), "--data", p("data.csv")],
                          ["predict", "--model", p("maxout.st"), "--input", p("data.csv")],
                          ["train", "--init", p("maxout.st"), "--data", p("data.csv")]] {
            try Self.expectRefused(scene, arguments, error: overflow)
        }
        let data = ["train", "--data", p("data.csv"), "--epochs", "1"]
        try Self.expectRefused(scene, data + ["--layers", "2,9223372036854775807,3"],
                               error: "--layers 2,9223372036854775807,3: the parameter count overflows a 64-bit integer")
        try Self.expectRefused(scene, data + ["--layers", "2,4,3", "--activation", "maxout:4611686018427387904"],
                               error: "--layers 2,4,3: the parameter count overflows a 64-bit integer")
        let gradcheck = try measuredRun(["gradcheck", "--batch-size", "4611686018427387904"])
        #expect(gradcheck.exitStatus == 1 && gradcheck.errorLine.hasPrefix(
            "Error: --batch-size 4611686018427387904: a batch of 4611686018427387904 rows of 4 values needs more than half this machine's "))
        // The largest batch size trains (on the rows there are).
        let largest = try measuredRun(data + ["--layers", "2,4,3", "--batch-size", "9223372036854775807"])
        #expect(largest.exitStatus == 0, "\(largest.standardError)")

        // A checkpoint whose optimizer step is 2^63 - 1.
        #expect(try measuredRun(data + ["--layers", "2,4,3", "--checkpoint", p("run")]).exitStatus == 0)
        try rewriteSafeTensorsHeader(p("run/epoch-1/optimizer.safetensors")) { $0.replacingOccurrences(of: #""step":"1""#, with: #""step":"9223372036854775807""#) }
        try Self.expectRefused(scene, data.dropLast() + ["2", "--layers", "2,4,3", "--resume", p("run")],
                               error: "--resume \(p("run")): the optimizer state counts 9223372036854775807 steps, but 1 epoch(s) of 1 batches make 1; the checkpoint is corrupt")
    }

    // MARK: 4. Memory follows the data, not the claims

    @Test func memoryIsSizedByTheDataNotByFlagsOrHeaders() throws {
        let scene = try Scene()
        let p = scene.path
        let bound = 200 * 1024  // KiB of peak RSS: a debug mlp and its libraries take about 30 MB
        // --batch-size 2,000,000 on 30 rows: buffers for 30 rows (before: 2,000,000 x 256 x 4 bytes x several).
        let batch = try measuredRun(["train", "--data", p("data.csv"), "--layers", "2,256,3", "--epochs", "1", "--batch-size", "2000000"])
        #expect(batch.exitStatus == 0 && batch.peakKiB < bound, "\(batch.peakKiB) KiB: \(batch.standardError)")
        // One row of 1,000,000 features with the default batch of 128: one row of buffers (before: 512 MB of inputs alone).
        var wide = "0"
        wide.reserveCapacity(2_000_010)
        for _ in 0..<1_000_000 { wide += ",1" }
        try URL(fileURLWithPath: p("wide.csv")).write(wide + "\n")
        let row = try measuredRun(["train", "--data", p("wide.csv"), "--layers", "1000000,2", "--epochs", "1"])
        #expect(row.exitStatus == 0 && row.peakKiB < bound, "\(row.peakKiB) KiB: \(row.standardError)")
        // A 2.2 MB gzip IDX file whose header claims 2.16 GB: fails having inflated what is there.
        mkdir(p("bomb"), 0o755)
        var payload = idxHeader([2_755_000, 28, 28])
        var state: UInt64 = 7
        for _ in 0..<(2_200_000 / 8) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            payload += withUnsafeBytes(of: state) { Array($0) }
        }
        try Data(storedGzip(payload)).write(to: URL(fileURLWithPath: p("bomb/train-images-idx3-ubyte.gz")))
        let before = FolderSnapshot(scene.folder)
        let bomb = try measuredRun(["train", "--data", p("bomb")])
        #expect(bomb.exitStatus == 1 && bomb.peakKiB < bound, "\(bomb.peakKiB) KiB")
        #expect(bomb.standardError == "Error: \(p("bomb/train-images-idx3-ubyte.gz")): dimensions [2755000, 28, 28] need 2159920000 data bytes "
                + "after the 16-byte header, found 2200000\n")
        #expect(FolderSnapshot(scene.folder) == before)
    }

    // MARK: 5. No silent wrong results

    @Test func wrongSetupsAreErrorsAndRegressionReportsRegression() throws {
        let scene = try Scene()
        let p = scene.path
        // Regression by default with --targets: identity output, quadratic loss, MSE/MAE/R^2 per epoch, predict prints values.
        var csv = "x1,x2,y\n", features = "x1,x2\n", targets: [Double] = []
        for i in 0..<200 {
            let x1 = Double(i % 20) / 10 - 1, x2 = Double(i / 20) / 5 - 1, y = 2 * x1 - x2 + 0.5
            csv += "\(x1),\(x2),\(y)\n"; features += "\(x1),\(x2)\n"; targets.append(y)
        }
        try URL(fileURLWithPath: p("linear.csv")).write(csv)
        try URL(fileURLWithPath: p("features.csv")).write(features)
        let trained = try measuredRun(["train", "--data", p("linear.csv"), "--targets", "1", "--epochs", "40", "--no-shuffle", "--json",
                                       "--save", p("linear.st")])
        #expect(trained.exitStatus == 0, "\(trained.standardError)")
        let info = try measuredRun(["info", p("linear.st")])
        #expect(info.standardOutput.hasPrefix("architecture  2-64(relu)-64(relu)-1(identity), quadratic\n"), "\(info.standardOutput)")
        let last = try JSONSerialization.jsonObject(with: Data(trained.standardOutput.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect(last["accuracy"] == nil)
        let predicted = try measuredRun(["predict", "--model", p("linear.st"), "--input", p("features.csv")])
        let values = predicted.standardOutput.split(separator: "\n").map { Double($0)! }
        #expect(values.count == 200 && Set(values.map { $0.rounded() }).count > 2, "values, not classes")
        // The reported figures, recomputed here from predict's values (the network after the last epoch).
        let mean = targets.reduce(0, +) / 200
        let squared = zip(values, targets).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        let mse = squared / 200, mae = zip(values, targets).map { abs($0 - $1) }.reduce(0, +) / 200
        let r2 = 1 - squared / targets.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        for (key, reference) in [("mse", mse), ("mae", mae), ("r2", r2)] {
            let reported = last[key] as! Double
            #expect(abs(reported - reference) <= 1e-5 * max(1, abs(reference)), "\(key): \(reported) vs \(reference)")
        }
        #expect(r2 > 0.95, "learns a linear function: R^2 \(r2)")

        let data = ["train", "--data", p("data.csv"), "--layers", "2,4,3"]
        try Self.expectRefused(scene, data + ["--validation-split", "0.999"],
                               error: "--validation-split 0.999 holds out all 30 samples; none are left to train on")
        // A test set whose images have another size.
        mkdir(p("idx"), 0o755)
        let files: [(String, [UInt8])] = [("train-images-idx3-ubyte", idxHeader([2, 2, 2]) + [UInt8](repeating: 9, count: 8)),
                                          ("train-labels-idx1-ubyte", idxHeader([2]) + [0, 1]),
                                          ("t10k-images-idx3-ubyte", idxHeader([1, 3, 3]) + [UInt8](repeating: 9, count: 9)),
                                          ("t10k-labels-idx1-ubyte", idxHeader([1]) + [1])]
        for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: p("idx/" + name))) }
        try Self.expectRefused(scene, ["train", "--data", p("idx"), "--epochs", "1"],
                               error: "\(p("idx/t10k-images-idx3-ubyte")): images of shape [3, 3], but \(p("idx/train-images-idx3-ubyte")) has [2, 2]; "
                                   + "a test set must match its training set")
        // Resuming: other data of the same shape and name, another label column, fewer epochs than done.
        var twoLabels = "a,b,x\n"
        for i in 0..<30 { twoLabels += "\(i % 3),\((i / 3) % 3),\(Double(i) / 10)\n" }
        try URL(fileURLWithPath: p("labels.csv")).write(twoLabels)
        let run = ["train", "--layers", "2,4,3", "--backend", "swift", "--threads", "1"]
        #expect(try measuredRun(run + ["--data", p("labels.csv"), "--epochs", "2", "--checkpoint", p("run")]).exitStatus == 0)
        for variant in [["--label-column", "b"], ["--label-column", "2"]] {
            let refused = try measuredRun(run + ["--data", p("labels.csv"), "--epochs", "3", "--resume", p("run")] + variant)
            #expect(refused.exitStatus == 1 && refused.errorLine.hasPrefix("Error: --resume \(p("run")): data differs: the checkpoint has 'labels.csv, 30 samples of 2 features, fingerprint "),
                    "\(refused.standardError)")
        }
        mkdir(p("other"), 0o755)
        try URL(fileURLWithPath: p("other/labels.csv")).write(twoLabels.replacingOccurrences(of: ",0.5\n", with: ",0.25\n"))
        let other = try measuredRun(run + ["--data", p("other/labels.csv"), "--epochs", "3", "--resume", p("run")])
        #expect(other.exitStatus == 1 && other.errorLine.hasPrefix("Error: --resume \(p("run")): data differs"), "\(other.standardError)")
        try Self.expectRefused(scene, run + ["--data", p("labels.csv"), "--epochs", "1", "--resume", p("run"), "--save", p("model.st")],
                               error: "--resume \(p("run")): the checkpoint is after epoch 2, but --epochs is 1; give --epochs 2 or more "
                                   + "(the total, not the epochs still to run)")
    }

    // MARK: 6. Output that cannot be written is an error

    @Test func failedWritesToStandardOutputAreErrors() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let scene = try Scene()
        let p = scene.path
        #expect(try measuredRun(["train", "--data", p("data.csv"), "--layers", "2,4,3", "--epochs", "1", "--save", p("model.st")]).exitStatus == 0)
        let error = "Error: standard output: write failed: No space left on device (the output is incomplete)"
        try URL(fileURLWithPath: p("features.csv")).write("x,y\n1,2\n3,4\n")
        for arguments in [["predict", "--model", p("model.st"), "--input", p("features.csv")], ["info", p("model.st")],
                          ["evaluate", "--model", p("model.st"), "--data", p("data.csv")],
                          ["train", "--data", p("data.csv"), "--layers", "2,4,3", "--epochs", "2", "--json"],
                          ["gradcheck"]] {
            let run = try measuredRun(arguments, standardOutputPath: "/dev/full")
            #expect(run.exitStatus == 1, "\(arguments)")
            #expect(run.standardError.split(separator: "\n").last.map(String.init) == error, "\(arguments): \(run.standardError)")
        }
    }

    // MARK: 7. Nothing hangs

    @Test func specialFilesHugeManifestsAndThreadCountsDoNotHang() throws {
        let scene = try Scene()
        let p = scene.path
        mkfifo(p("pipe"), 0o644)
        mkdir(p("idx"), 0o755)
        mkfifo(p("idx/train-images-idx3-ubyte"), 0o644)
        if isRoot { mknod(p("zero"), S_IFCHR | 0o666, dev_t((1 << 8) | 5)) }  // a copy of /dev/zero's node: endless bytes
        let fifo = "a FIFO, not a regular file; left as it is"
        var cases: [([String], String)] = [
            (["train", "--data", p("pipe")], "\(p("pipe")): \(fifo)"),
            (["train", "--data", p("idx")], "\(p("idx/train-images-idx3-ubyte")): \(fifo)"),
            (["info", p("pipe")], "\(p("pipe")): \(fifo)"),
            (["predict", "--model", p("pipe"), "--input", p("data.csv")], "\(p("pipe")): \(fifo)"),
            (["train", "--data", p("data.csv"), "--init", p("pipe")], "\(p("pipe")): \(fifo)"),
            (["train", "--threads", "10000"], "--threads 10000: at most \(max(64, ProcessInfo.processInfo.activeProcessorCount)) (64, or the number of cores when there are more)"),
        ]
        if isRoot { cases.append((["train", "--data", p("zero")], "\(p("zero")): a character device, not a regular file; left as it is")) }
        try Self.expectRefused(scene, cases: cases, within: 10)
        // A manifest whose epoch is 10^12: against its folder's name, against --epochs, against the step count.
        let run = ["train", "--data", p("data.csv"), "--layers", "2,4,3", "--backend", "swift", "--threads", "1"]
        #expect(try measuredRun(run + ["--epochs", "1", "--checkpoint", p("run")]).exitStatus == 0)
        let manifest = p("run/epoch-1/manifest.json")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try URL(fileURLWithPath: manifest).write(text.replacingOccurrences(of: "\"epoch\":1,", with: "\"epoch\":1000000000000,"))
        let big = "1000000000000"
        try Self.expectRefused(scene, cases: [
            (run + ["--epochs", "2", "--resume", p("run")],
             "--resume \(manifest): \"epoch\": \(big) does not match its folder's name epoch-1"),
        ], within: 10)
        rename(p("run/epoch-1"), p("run/epoch-\(big)"))
        unlink(p("run/latest"))
        symlink("epoch-\(big)", p("run/latest"))
        try Self.expectRefused(scene, cases: [
            (run + ["--epochs", "2", "--resume", p("run")],
             "--resume \(p("run")): the checkpoint is after epoch \(big), but --epochs is 2; give --epochs \(big) or more (the total, not the epochs still to run)"),
            (run + ["--epochs", big, "--resume", p("run")],
             "--resume \(p("run")): the optimizer state counts 1 steps, but \(big) epoch(s) of 1 batches make \(big); the checkpoint is corrupt"),
        ], within: 10)
    }

    // MARK: 8. What can be checked before training is

    @Test func outputsAreCheckedBeforeTraining() throws {
        let scene = try Scene()
        let p = scene.path
        var wide = "label,a,b,c\n"
        for i in 0..<30 { wide += "\(i % 2),\(i),\(i * 2),\(i * 3)\n" }
        try URL(fileURLWithPath: p("three.csv")).write(wide)
        // 100,000 epochs would take minutes: each refusal comes before the first.
        let long = ["train", "--data", p("data.csv"), "--layers", "2,4,3", "--epochs", "100000"]
        try Self.expectRefused(scene, cases: [
            (long + ["--plot", p("missing/curves.svg")], "--plot \(p("missing/curves.svg")): cannot save: its folder: No such file or directory (any existing file is unchanged)"),
            (long + ["--save", p("data.csv/model.st")], "--save \(p("data.csv/model.st")): cannot save: Not a directory (any existing file is unchanged)"),
            (long + ["--save", p("m.st"), "--plot-boundary", p("m.st")], "--plot-boundary \(p("m.st")): also given to --save; one file cannot hold both"),
            (["train", "--data", p("three.csv"), "--epochs", "100000", "--plot-boundary", p("b.svg")],
             "--plot-boundary needs 2-D inputs with class labels; the data has 3 features"),
            (["train", "--data", p("data.csv"), "--targets", "1", "--epochs", "100000", "--plot-boundary", p("b.svg")],
             "--plot-boundary needs 2-D inputs with class labels; the data has 2 features and regression targets"),
        ], within: 10)
    }

    // MARK: 10. The smaller ones

    @Test func smallerEdgesHoldToo() throws {
        let scene = try Scene()
        let p = scene.path
        // Terminal escapes in tensor names and metadata, and in a CSV cell quoted by an error.
        try writeSafeTensors(p("escape.st"), header: #"{"__metadata__":{"note\u001b[31m":"red\u001b[0m"},"#
                             + #""a\u001b]0;title\u0007":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataBytes: 8)
        let info = try measuredRun(["info", p("escape.st")])
        #expect(info.exitStatus == 0)
        #expect(info.standardOutput.hasSuffix("tensors\n  a\\u{1B}]0;title\\u{7}  [2]\nmetadata\n  note\\u{1B}[31m: red\\u{1B}[0m\n"), "\(info.standardOutput)")
        try URL(fileURLWithPath: p("escape.csv")).write("0,1,2\n1,\u{1b}[2J,3\n")
        try Self.expectRefused(scene, ["train", "--data", p("escape.csv")],
                               error: "\(p("escape.csv")): line 2, column 2: expected a number, found '\\u{1B}[2J'")
        // Negative numbers after numeric flags are values, reported by range.
        for (arguments, error) in [(["--epochs", "-1"], "--epochs must be at least 1, got -1"),
                                   (["--learning-rate", "-0.5"], "--learning-rate must be a finite number >= 0, got -0.5"),
                                   (["--threads", "-2"], "--threads must be at least 1, got -2"),
                                   (["--batch-size", "-3"], "--batch-size must be at least 1, got -3")] {
            try Self.expectRefused(scene, ["train"] + arguments, error: error)
        }
        // Lines ended by a lone carriage return.
        try URL(fileURLWithPath: p("mac.csv")).write("label,x\r0,1\r1,2\r0,3\r1,4\r")
        let mac = try measuredRun(["train", "--data", p("mac.csv"), "--epochs", "1"])
        #expect(mac.exitStatus == 0 && mac.standardError.contains(" on 4 samples "), "\(mac.standardError)")
        // A corrupt Adam state is reported as corrupt.
        let run = ["train", "--data", p("data.csv"), "--layers", "2,4,3", "--backend", "swift", "--threads", "1"]
        #expect(try measuredRun(run + ["--epochs", "1", "--checkpoint", p("run")]).exitStatus == 0)
        try poke(p("run/epoch-1/optimizer.safetensors"), tensor: "layers.0.weight", index: 8 + 5, value: .nan)
        try Self.expectRefused(scene, run + ["--epochs", "2", "--resume", p("run")],
                               error: "--resume \(p("run")): optimizer memory must be a finite number >= 0 (the optimizer state is corrupt), "
                                   + "got 'variance' of layer 0 weight 5 is nan")
        // evaluate reads only the test set: the training images are a FIFO it must not open.
        mkdir(p("idx"), 0o755)
        mkfifo(p("idx/train-images-idx3-ubyte"), 0o644)
        try Data(idxHeader([2]) + [0, 1]).write(to: URL(fileURLWithPath: p("idx/train-labels-idx1-ubyte")))
        try Data(idxHeader([2, 1, 2]) + [0, 255, 255, 0]).write(to: URL(fileURLWithPath: p("idx/t10k-images-idx3-ubyte")))
        try Data(idxHeader([2]) + [1, 0]).write(to: URL(fileURLWithPath: p("idx/t10k-labels-idx1-ubyte")))
        #expect(try measuredRun(["train", "--data", p("data.csv"), "--layers", "2,4,3", "--epochs", "1", "--save", p("m.st")]).exitStatus == 0)
        let evaluated = try measuredRun(["evaluate", "--model", p("m.st"), "--data", p("idx")], timeout: 10)
        #expect(evaluated.exitStatus == 0 && evaluated.standardOutput.hasPrefix("samples   2\n"), "\(evaluated.standardError)")
    }
}
