import Foundation
import Testing

@testable import MLPData

/// The folder of committed format fixtures (Tests/MLPDataTests/Fixtures/formats).
func formatsFixturePath(_ name: String) -> String {
    Bundle.module.resourceURL!.appendingPathComponent("Fixtures/formats/\(name)").path
}

/// A fresh empty folder under the system's temporary directory, removed by `body`'s end.
func withTemporaryFolder<T>(_ body: (String) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("swiftmlp-formats-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url.path)
}

/// The error `body` throws, or nil.
func caughtError<E: Error>(_ type: E.Type, _ body: () throws -> Void) -> E? {
    do { try body() } catch let error as E { return error } catch { Issue.record("unexpected \(error)") }
    return nil
}
