/// A checkpoint's `manifest.json`: what identifies the checkpoint besides its two tensor files.
///
///     {"epoch":7,"format":"swiftmlp-checkpoint","generator":["<16 hex digits>" x 4],
///      "settings":{"architecture":"...",...},"version":1}
///
/// Read with validation: a manifest that is JSON but wrong throws a ``Problem`` naming the
/// member (``Checkpoint`` adds the file's path).
struct CheckpointManifest: Codable, Equatable {
    /// The `format` value of a manifest.
    static let format = "swiftmlp-checkpoint"
    /// The manifest version this code writes and reads.
    static let version = 1

    /// The epoch the checkpoint was taken after (from 1).
    var epoch: Int
    /// The shuffling generator's state.
    var generator: SeededGenerator
    /// The run's settings that a resumed run must share.
    var settings: [String: String]

    /// What is wrong with a manifest.
    struct Problem: Error, Equatable {
        var text: String
    }

    init(epoch: Int, generator: SeededGenerator, settings: [String: String]) {
        self.epoch = epoch
        self.generator = generator
        self.settings = settings
    }

    private enum CodingKeys: String, CodingKey {
        case format, version, epoch, generator, settings
    }

    /// The key of one setting: its name is data, not code.
    private struct SettingKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.format, forKey: .format)
        try container.encode(Self.version, forKey: .version)
        try container.encode(epoch, forKey: .epoch)
        try container.encode(generator.state.map(Self.hex), forKey: .generator)
        try container.encode(settings, forKey: .settings)
    }

    /// - Throws: ``Problem`` for the first member that is missing or wrong, in the order
    ///   format, version, epoch, generator, settings.
    init(from decoder: any Decoder) throws {
        func bad(_ text: String) -> Problem { Problem(text: text) }
        guard let container = try? decoder.container(keyedBy: CodingKeys.self) else { throw bad("expected a JSON object") }
        guard (try? container.decode(String.self, forKey: .format)) == Self.format else {
            throw bad("expected \"format\": \"\(Self.format)\"")
        }
        guard (try? container.decode(Int.self, forKey: .version)) == Self.version else { throw bad("expected \"version\": \(Self.version)") }
        guard let epoch = try? container.decode(Int.self, forKey: .epoch), epoch >= 1 else {
            throw bad("expected a positive integer \"epoch\"")
        }
        guard let words = (try? container.decode([String].self, forKey: .generator))?.compactMap({ UInt64($0, radix: 16) }),
              words.count == 4, let generator = try? SeededGenerator(state: words) else {
            throw bad("expected \"generator\": four 64-bit words in hexadecimal, not all zero")
        }
        guard let members = try? container.nestedContainer(keyedBy: SettingKey.self, forKey: .settings) else {
            throw bad("expected an object \"settings\"")
        }
        var settings: [String: String] = [:]
        for key in members.allKeys {
            guard let text = try? members.decode(String.self, forKey: key) else { throw bad("setting '\(key.stringValue)' is not a string") }
            settings[key.stringValue] = text
        }
        self.init(epoch: epoch, generator: generator, settings: settings)
    }

    /// A 64-bit word as 16 hexadecimal digits.
    private static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
