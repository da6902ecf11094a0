/// A failure the tool reports in one line (`Error: <message>`) with exit status 1.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
