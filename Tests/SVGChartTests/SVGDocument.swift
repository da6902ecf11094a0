import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG text read back by Foundation's `XMLParser` (libxml2 on Linux), an XML parser that
/// shares no code with the charts: an element tree, or the parser's error when the text is not
/// well-formed XML.
struct SVGDocument {
    struct Element {
        var name: String
        var attributes: [String: String]
        var children: [Element] = []
        var text = ""

        /// The attribute `name` as a number, nil when it is missing or not a number.
        func number(_ name: String) -> Double? { attributes[name].flatMap(Double.init) }

        /// Every element below this one, depth first.
        var descendants: [Element] { children.flatMap { [$0] + $0.descendants } }
    }

    struct NotWellFormed: Error, CustomStringConvertible {
        var description: String
    }

    let root: Element

    init(_ text: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        let builder = TreeBuilder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw NotWellFormed(description: "line \(parser.lineNumber), column \(parser.columnNumber): "
                + (parser.parserError.map { "\($0)" } ?? "no root element"))
        }
        self.root = root
    }

    /// Every element named `name`.
    func elements(_ name: String) -> [Element] { ([root] + root.descendants).filter { $0.name == name } }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var root: Element?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            stack.append(Element(name: name, attributes: attributes))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let element = stack.removeLast()
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}
