/// SplitMix64: a small seeded generator, so that a failing document can be made again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random request bodies that are mostly JSON: objects with `model` members among others, strings
/// long and short with escapes, multi-byte text and the odd malformed byte, whitespace runs, numbers
/// and literals; then, for some, a few bytes changed, inserted, deleted or cut off.
struct JSONishDocuments {
    var random: SeededGenerator
    /// Whether the document being made is to be JSON (before any change): half of them are.
    private var clean = true

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func next() -> [UInt8] {
        var document: [UInt8] = []
        clean = chance(1, in: 2)
        if chance(1, in: 10) {
            value(into: &document, depth: 0)
        } else {
            object(into: &document, depth: 0)
        }
        whitespace(into: &document)
        if chance(1, in: 3) { mutate(&document) }
        return document
    }

    // MARK: Values

    private mutating func value(into document: inout [UInt8], depth: Int) {
        whitespace(into: &document)
        let scalarOnly = depth >= 4
        switch Int.random(in: 0..<(scalarOnly ? 6 : 8), using: &random) {
        case 0, 1, 2: string(into: &document)
        case 3: number(into: &document)
        case 4: literal(into: &document)
        case 5: if chance(1, in: 2) { document += "{}".utf8 } else { document += "[]".utf8 }
        case 6: object(into: &document, depth: depth + 1)
        default: array(into: &document, depth: depth + 1)
        }
        whitespace(into: &document)
    }

    private mutating func object(into document: inout [UInt8], depth: Int) {
        document.append(UInt8(ascii: "{"))
        let count = Int.random(in: 0...5, using: &random)
        // At the top, often a string `model` somewhere among the members.
        let modelString = depth == 0 && count > 0 && chance(2, in: 3) ? Int.random(in: 0..<count, using: &random) : nil
        for member in 0..<count {
            if member > 0 { document.append(UInt8(ascii: ",")) }
            whitespace(into: &document)
            if member == modelString {
                document += #""model":"#.utf8
                string(into: &document)
                continue
            }
            memberName(into: &document)
            whitespace(into: &document)
            document.append(UInt8(ascii: ":"))
            value(into: &document, depth: depth)
        }
        whitespace(into: &document)
        document.append(UInt8(ascii: "}"))
    }

    private mutating func array(into document: inout [UInt8], depth: Int) {
        document.append(UInt8(ascii: "["))
        let count = Int.random(in: 0...4, using: &random)
        for element in 0..<count {
            if element > 0 { document.append(UInt8(ascii: ",")) }
            value(into: &document, depth: depth)
        }
        whitespace(into: &document)
        document.append(UInt8(ascii: "]"))
    }

    private mutating func memberName(into document: inout [UInt8]) {
        let names = [
            #""model""#, #""model""#, #""model""#, #""mod\u0065l""#, #""\u006d\u006F\u0064\u0065\u006C""#,
            #""Model""#, #""models""#, #""mode""#, #""model\n""#, #""messages""#, #""content""#, #""role""#,
        ]
        if chance(1, in: 4) {
            string(into: &document)
        } else {
            document += names.randomElement(using: &random)!.utf8
        }
    }

    private mutating func number(into document: inout [UInt8]) {
        let numbers = [
            "0", "-0", "7", "42", "-12", "1.5", "-0.25", "1e5", "1E+5", "2e-3", "-12.34e56",
            "123456789012345678901234567890",
            // Malformed ones.
            "01", "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "--1", "1.2.3",
        ]
        document += numbers[Int.random(in: 0..<(clean ? 12 : numbers.count), using: &random)].utf8
    }

    private mutating func literal(into document: inout [UInt8]) {
        let literals = ["true", "false", "null", "true", "false", "null", "tru", "nul", "True", "NaN"]
        document += literals[Int.random(in: 0..<(clean ? 6 : literals.count), using: &random)].utf8
    }

    // MARK: Strings

    private mutating func string(into document: inout [UInt8]) {
        document.append(UInt8(ascii: "\""))
        // Mostly short, sometimes long enough for many words at a time.
        let pieces =
            chance(1, in: 8) ? Int.random(in: 20...200, using: &random) : Int.random(in: 0...12, using: &random)
        for _ in 0..<pieces { stringPiece(into: &document) }
        if clean || !chance(1, in: 50) { document.append(UInt8(ascii: "\"")) }
    }

    private mutating func stringPiece(into document: inout [UInt8]) {
        // The last ten in a hundred are malformed.
        switch Int.random(in: 0..<(clean ? 90 : 100), using: &random) {
        case 0..<55:
            // Plain printable ASCII (no quote, no backslash), in runs.
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                var byte = UInt8.random(in: 0x20...0x7F, using: &random)
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { byte = UInt8(ascii: "a") }
                document.append(byte)
            }
        case 55..<65:
            let escapes = [#"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\n"#, #"\r"#, #"\t"#]
            document += escapes.randomElement(using: &random)!.utf8
        case 65..<70:
            document += #"\u"#.utf8
            let hex = Array("0123456789abcdefABCDEF".utf8)
            for _ in 0..<4 { document.append(hex.randomElement(using: &random)!) }
        case 70..<85:
            // Well-formed multi-byte text, of every length.
            let scalar: Unicode.Scalar
            switch Int.random(in: 0..<4, using: &random) {
            case 0: scalar = Unicode.Scalar(UInt32.random(in: 0x80...0x7FF, using: &random))!
            case 1: scalar = Unicode.Scalar(UInt32.random(in: 0x800...0xD7FF, using: &random))!
            case 2: scalar = Unicode.Scalar(UInt32.random(in: 0xE000...0xFFFF, using: &random))!
            default: scalar = Unicode.Scalar(UInt32.random(in: 0x10000...0x10FFFF, using: &random))!
            }
            document += String(scalar).utf8
        case 85..<90:
            let text = ["模型", "gré", "😀", "Привет", "\u{7F}", "\u{FFFD}", "\u{10FFFF}"]
            document += text.randomElement(using: &random)!.utf8
        case 90..<94:
            // Malformed UTF-8: a lone continuation, overlongs, surrogates, past U+10FFFF, cut short.
            let sequences: [[UInt8]] = [
                [0x80], [0xBF], [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xE0, 0x9F, 0xBF], [0xED, 0xA0, 0x80],
                [0xED, 0xBF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xC3], [0xE2, 0x28, 0xA1],
                [0xC3, 0x28],
            ]
            document += sequences.randomElement(using: &random)!
        case 94..<97:
            // A raw control character.
            document.append(UInt8.random(in: 0x00...0x1F, using: &random))
        case 97:
            // A malformed escape.
            let escapes = [#"\x"#, #"\a"#, #"\u12"#, #"\u12G4"#, #"\U0041"#, #"\'"#]
            document += escapes.randomElement(using: &random)!.utf8
        default:
            document.append(UInt8.random(in: 0...255, using: &random))
        }
    }

    // MARK: Whitespace and changes

    private mutating func whitespace(into document: inout [UInt8]) {
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<5:
            return
        case 5..<7:
            document.append(0x20)
        case 7, 8:
            // Indentation.
            document.append(0x0A)
            document += Array(repeating: 0x20, count: Int.random(in: 0...20, using: &random))
        default:
            let bytes: [UInt8] = [0x20, 0x20, 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B, 0x00]
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                // Form feed, vertical tab and NUL are not JSON whitespace: rarely.
                document.append(bytes[Int.random(in: 0..<(!clean && chance(1, in: 20) ? 9 : 6), using: &random)])
            }
        }
    }

    private mutating func mutate(_ document: inout [UInt8]) {
        let interesting: [UInt8] = [
            0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x00, 0x09, 0x0A, 0x1F, 0x20, 0x7F, 0x80, 0xBF, 0xC0, 0xC2,
            0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "e"),
        ]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !document.isEmpty else { return }
            let position = Int.random(in: 0..<document.count, using: &random)
            let byte =
                chance(1, in: 2)
                ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: document[position] = byte
            case 1: document.insert(byte, at: position)
            case 2: document.remove(at: position)
            default: document.removeLast(Int.random(in: 1...min(8, document.count), using: &random))
            }
        }
    }

    private mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        Int.random(in: 0..<denominator, using: &random) < numerator
    }
}
