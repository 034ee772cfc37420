import AccessCheck
import Testing

@Suite struct JSONWriterTests {
    @Test(arguments: [
        ("plain", #""plain""#),
        ("quote \" and \\ backslash", #""quote \" and \\ backslash""#),
        ("line\nbreak\ttab\r", #""line\nbreak\ttab\r""#),
        ("\u{01}\u{1f}", #""\u0001\u001f""#),
        ("ünïcødé ✓", "\"ünïcødé ✓\""),
    ])
    func stringsAreEscaped(input: String, expected: String) {
        var writer = JSONWriter()
        writer.string(input)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }

    @Test func nestedContainersGetCommasInTheRightPlaces() {
        var writer = JSONWriter()
        writer.object { object in
            object.key("a")
            object.array { array in
                array.number(Int64(1))
                array.bool(true)
                array.null()
                array.object { $0.field("k", "v") }
            }
            object.field("b", "c")
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":[1,true,null,{"k":"v"}],"b":"c"}"#)
    }

    @Test(arguments: [(1.5, "1.5"), (0.001, "0.001"), (Double.nan, "null"), (Double.infinity, "null")])
    func doublesAreFiniteOrNull(value: Double, expected: String) {
        var writer = JSONWriter()
        writer.number(value)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == expected)
    }
}
