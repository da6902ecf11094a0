/// A training checkpoint: a ``TrainingState`` and the settings a resumed run must share, as a
/// folder that is replaced atomically.
///
/// Layout of the checkpoint folder `DIR`:
///
///     DIR/latest -> epoch-7           symbolic link to the newest complete checkpoint
///     DIR/epoch-7/model.safetensors   the network, exactly as `Network.save` writes it
///     DIR/epoch-7/optimizer.safetensors
///                                     OptimizerMemory: per trainable tensor, its model-file
///                                     name with shape [slots] + its shape (slot-major, as the
///                                     memory holds them); metadata `step` and `slots` (the
///                                     slot names, comma-separated)
///     DIR/epoch-7/manifest.json       {"epoch":7,"format":"swiftmlp-checkpoint",
///                                      "generator":["<16 hex digits>" x 4],"settings":{...},
///                                      "version":1}   (``CheckpointManifest``)
///
/// **Atomicity.** ``write(toFolder:)`` writes the three files into `DIR/.epoch-7.partial`
/// (each flushed with `fsync`), flushes that folder, renames it to `DIR/epoch-7`, flushes
/// `DIR`, then replaces the `latest` link by `rename` and only then removes older epoch
/// folders. A crash at any point leaves `latest` naming a complete checkpoint (the previous
/// one until the link switches), and a leftover `.partial` folder is removed by the next write.
/// What the folder owns and removes, and its lock, are ``CheckpointFolder``'s.
/// `DIR/latest/model.safetensors` is always a loadable model.
public struct Checkpoint: Sendable, Equatable {
    /// The run's state after ``TrainingState/epoch``.
    public var state: TrainingState
    /// Name-value pairs that must be equal for a run to resume from this checkpoint (the
    /// caller decides which: architecture, optimizer, batch size, seed, backend, ...).
    public var settings: [String: String]

    public init(state: TrainingState, settings: [String: String]) {
        self.state = state
        self.settings = settings
    }

    /// The `format` value of a manifest.
    public static let format = CheckpointManifest.format
    /// The manifest version this code writes and reads.
    public static let version = CheckpointManifest.version
    /// The link to the newest checkpoint inside a checkpoint folder.
    public static let latestName = "latest"

    /// The folder name of the checkpoint after `epoch`.
    public static func folderName(epoch: Int) -> String { "epoch-\(epoch)" }

    // MARK: Writing

    /// Writes this checkpoint into the checkpoint folder `folder` (created if missing) and
    /// makes it the latest, atomically (see the type's summary); older ones are removed.
    ///
    /// - Throws: ``CheckpointError``; the previous latest checkpoint is then still intact.
    public func write(toFolder folder: String) throws(CheckpointError) {
        let latest = folder + "/" + Self.latestName
        do {
            try BinaryFile.makeFolder(atPath: folder)
            // The latest checkpoint is never touched; a second write of its epoch (another run
            // into the same folder) takes a second name.
            let current = try BinaryFile.symbolicLinkTarget(atPath: latest)
            var name = Self.folderName(epoch: state.epoch)
            if current == name { name += "-b" }
            let partial = folder + "/." + name + ".partial", final = folder + "/" + name
            try CheckpointFolder.checkLatestLink(in: folder)
            try CheckpointFolder.clearEntry("." + name + ".partial", in: folder)
            try BinaryFile.makeFolder(atPath: partial)
            try state.network.save(toFile: partial + "/model.safetensors")
            try optimizerFile.save(toFile: partial + "/optimizer.safetensors")
            let manifest = CheckpointManifest(epoch: state.epoch, generator: state.generator, settings: settings)
            try BinaryFile.writeAtomically(Array(JSONDocument.encode(manifest).utf8), toPath: partial + "/manifest.json")
            try BinaryFile.synchronizeFolder(atPath: partial)
            try CheckpointFolder.clearEntry(name, in: folder)  // a stale one from an abandoned run
            try BinaryFile.renameItem(atPath: partial, toPath: final)
            try BinaryFile.synchronizeFolder(atPath: folder)
            try BinaryFile.replaceSymbolicLink(atPath: latest, target: name)
            try BinaryFile.synchronizeFolder(atPath: folder)
            // Only now is the old checkpoint unreferenced; only what CheckpointFolder recognises goes.
            try CheckpointFolder.removeOlderEntries(in: folder, keeping: name)
        } catch {
            throw CheckpointError(path: folder, problem: error.description)
        }
    }

    /// The optimizer memory as tensors named and shaped after the network's trainable tensors
    /// (with the slots as a leading dimension).
    var optimizerFile: SafeTensors {
        let memory = state.memory, slots = memory.slotNames.count
        var tensors: [String: SafeTensors.Tensor] = [:]
        for (index, entry) in state.network.arena.trainable.enumerated() {
            tensors[state.network.fileName(of: entry)] = SafeTensors.Tensor(shape: [slots] + entry.declaration.shape,
                                                                            values: memory.tensors[index])
        }
        return SafeTensors(tensors: tensors, metadata: ["step": "\(memory.step)", "slots": memory.slotNames.joined(separator: ",")])
    }

    // MARK: Reading

    /// The latest checkpoint in the checkpoint folder `folder`.
    ///
    /// - Throws: ``CheckpointError`` naming the file and what is wrong in it (no checkpoint,
    ///   unreadable or malformed manifest, model or optimizer file, shapes that disagree).
    public init(contentsOfFolder folder: String) throws(CheckpointError) {
        let latest = folder + "/" + Self.latestName
        let name: String
        do {
            guard let target = try BinaryFile.symbolicLinkTarget(atPath: latest) else {
                throw CheckpointError(path: folder, problem: BinaryFile.isFolder(atPath: folder)
                                      ? "no checkpoint here (no '\(Self.latestName)' link)" : "no such folder")
            }
            name = target
        } catch let error as CheckpointError { throw error } catch { throw CheckpointError(path: latest, problem: "\(error)") }
        guard !name.contains("/"), name.hasPrefix("epoch-") else {
            throw CheckpointError(path: latest, problem: "points to '\(name)', expected a folder epoch-N beside it")
        }
        let path = folder + "/" + name

        let manifestPath = path + "/manifest.json"
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDocument.decode(CheckpointManifest.self, from: String(decoding: try BinaryFile.read(atPath: manifestPath), as: UTF8.self))
        } catch let error as JSONError {
            throw CheckpointError(path: manifestPath, problem: error.description)
        } catch let problem as CheckpointManifest.Problem {
            throw CheckpointError(path: manifestPath, problem: problem.text)
        } catch {
            throw CheckpointError(path: manifestPath, problem: "\(error)")
        }
        guard CheckpointFolder.epoch(ofEntry: name) == manifest.epoch else {
            throw CheckpointError(path: manifestPath, problem: "\"epoch\": \(manifest.epoch) does not match its folder's name \(name)")
        }

        let modelPath = path + "/model.safetensors", optimizerPath = path + "/optimizer.safetensors"
        let network: Network, optimizerFile: SafeTensors
        do {
            network = try Network(contentsOfFile: modelPath)
        } catch {
            throw CheckpointError(path: modelPath, problem: "\(error)")
        }
        do {
            optimizerFile = try SafeTensors(contentsOfFile: optimizerPath)
        } catch {
            throw CheckpointError(path: optimizerPath, problem: "\(error)")
        }
        let memory = try Self.memory(from: optimizerFile, for: network, path: optimizerPath)
        self.init(state: TrainingState(epoch: manifest.epoch, network: network, memory: memory, generator: manifest.generator),
                  settings: manifest.settings)
    }

    private static func memory(from file: SafeTensors, for network: Network, path: String) throws(CheckpointError) -> OptimizerMemory {
        guard let stepText = file.metadata["step"], let step = Int(stepText), step >= 0 else {
            throw CheckpointError(path: path, problem: "metadata 'step' must be a whole number >= 0")
        }
        guard let slotText = file.metadata["slots"] else { throw CheckpointError(path: path, problem: "metadata 'slots' is missing") }
        let slotNames = slotText.isEmpty ? [] : slotText.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var tensors: [[Float]] = []
        for entry in network.arena.trainable {
            let name = network.fileName(of: entry), shape = [slotNames.count] + entry.declaration.shape
            guard let tensor = file[name] else { throw CheckpointError(path: path, problem: "tensor '\(name)' is missing") }
            guard tensor.shape == shape else {
                throw CheckpointError(path: path, problem: "tensor '\(name)' has shape \(tensor.shape), the model needs \(shape)")
            }
            tensors.append(tensor.values)
        }
        guard file.tensors.count == tensors.count else {
            throw CheckpointError(path: path, problem: "\(file.tensors.count) tensors, the model needs \(tensors.count)")
        }
        return OptimizerMemory(step: step, slotNames: slotNames, tensors: tensors)
    }
}

extension OptimizerMemory {
    /// Memory as read from a checkpoint, before any rule has checked it
    /// (``Trainer/resume(from:)`` does).
    init(step: Int, slotNames: [String], tensors: [[Float]]) {
        self.step = step
        self.slotNames = slotNames
        self.tensors = tensors
    }
}

/// A checkpoint that could not be written or read: the path and the problem, in one line.
public struct CheckpointError: Error, Equatable, CustomStringConvertible {
    /// The folder or file concerned.
    public var path: String
    /// What went wrong.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
