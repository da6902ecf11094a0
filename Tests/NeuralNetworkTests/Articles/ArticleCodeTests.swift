import Foundation
import Testing

/// The code printed in the DocC articles cannot rot silently: every `swift` code block of every
/// article in the package's catalogs (`Sources/*/*.docc`) must appear line for line in a Swift
/// file that is compiled and run: the articles' tests (`Tests/*/Articles/`), the library source
/// it quotes, or the example app of "Depending on the package" (`Examples/`, built and run by
/// `make example`). Lines are compared without their leading and trailing blanks, so a block
/// may be indented differently from its source.
@Suite("Article code")
struct ArticleCodeTests {
    /// The package's root folder: this file is Tests/NeuralNetworkTests/Articles/ArticleCodeTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// One fenced code block of an article.
    struct Block: CustomStringConvertible {
        var article: String
        var line: Int
        var language: String
        var lines: [String]
        var description: String { "\(article):\(line) (```\(language))" }
    }

    /// The files below `folder` (relative to the root) whose names end in `suffix`, skipping build folders.
    static func files(under folder: String, suffix: String) -> [URL] {
        let base = root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var found: [URL] = []
        for case let url as URL in walker {
            if url.lastPathComponent.hasPrefix(".build") { walker.skipDescendants(); continue }
            if url.lastPathComponent.hasSuffix(suffix) { found.append(url) }
        }
        return found.sorted { $0.path < $1.path }
    }

    /// The articles (and landing pages) of every catalog.
    static var articles: [URL] {
        files(under: "Sources", suffix: ".md").filter { $0.path.contains(".docc/") }
    }

    /// The fenced code blocks of a Markdown text.
    static func blocks(of text: String, article: String) -> [Block] {
        var blocks: [Block] = [], current: Block?
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var block = current {
                if trimmed == "```" {
                    blocks.append(block)
                    current = nil
                } else {
                    block.lines.append(line)
                    current = block
                }
            } else if trimmed.hasPrefix("```") {
                current = Block(article: article, line: index + 1, language: String(trimmed.dropFirst(3)), lines: [])
            }
        }
        return blocks
    }

    static func normalized(_ lines: [String]) -> [String] {
        lines.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether `needle` occurs as consecutive lines of `haystack`.
    static func contains(_ haystack: [String], _ needle: [String]) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        return (0...(haystack.count - needle.count)).contains { start in
            zip(haystack[start...], needle).allSatisfy { $0 == $1 }
        }
    }

    @Test func everySwiftBlockIsCodeThatRuns() throws {
        let sources = (Self.files(under: "Tests", suffix: ".swift") + Self.files(under: "Sources", suffix: ".swift")
            + Self.files(under: "Examples", suffix: ".swift"))
            .map { Self.normalized(try! String(contentsOf: $0, encoding: .utf8).components(separatedBy: "\n")) }
        let articles = Self.articles
        #expect(articles.count >= 10, "found only \(articles.count) pages in the catalogs under \(Self.root.path)/Sources")
        var checked = 0
        for article in articles {
            let name = article.path.replacingOccurrences(of: Self.root.path + "/", with: "")
            for block in Self.blocks(of: try String(contentsOf: article, encoding: .utf8), article: name) where block.language == "swift" {
                let lines = Self.normalized(block.lines)
                #expect(sources.contains { Self.contains($0, lines) },
                        "\(block): this code is in no compiled Swift file; copy it from the test that runs it")
                checked += 1
            }
        }
        #expect(checked >= 15, "only \(checked) swift blocks in the articles")
    }

    /// Every article teaches with code that runs: at least one `swift` block each (landing pages aside).
    @Test func everyArticleHasCode() throws {
        for article in Self.articles {
            let text = try String(contentsOf: article, encoding: .utf8)
            let isLandingPage = text.contains("``") && text.components(separatedBy: "\n").first?.hasPrefix("# ``") == true
            guard !isLandingPage else { continue }
            #expect(Self.blocks(of: text, article: article.lastPathComponent).contains { $0.language == "swift" },
                    "\(article.lastPathComponent) has no swift code block")
        }
    }

    /// The checker itself: a block found, a block altered by one character not found.
    @Test func theCheckerFindsAndMisses() {
        let source = Self.normalized(["func f() {", "    let x = 1", "    return x", "}"])
        #expect(Self.contains(source, Self.normalized(["let x = 1", "return x"])))
        #expect(!Self.contains(source, Self.normalized(["let x = 2", "return x"])))
        let blocks = Self.blocks(of: "text\n```swift\nlet x = 1\n```\n```shell\nmake docs\n```\n", article: "a.md")
        #expect(blocks.count == 2 && blocks[0].language == "swift" && blocks[0].lines == ["let x = 1"] && blocks[1].language == "shell")
    }
}
