import Testing
@Test func placeholderMLPToolTests() { #expect(Bool(true)) }
