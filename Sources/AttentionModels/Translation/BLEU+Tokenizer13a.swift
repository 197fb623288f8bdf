extension BLEU {
    /// The `13a` tokenisation (mteval-v13a, sacrebleu's default), on Unicode scalars as Python works on code points:
    ///
    /// 1. drop `<skipped>`, join `-` + line break, line breaks → spaces; if there is an `&`, unescape `&quot;` `&amp;`
    ///    `&lt;` `&gt;` (in that order);
    /// 2. surround with spaces every ASCII symbol in `{|}~ [\]^_` space!"#$%& ()*+ :;<=>?@ /` (not `'`, `-`, `.`, `,`);
    /// 3. split `.` and `,` from a preceding non-digit, then from a following non-digit, then `-` from a preceding digit
    ///    (each rule one left-to-right pass without overlaps, as `re.sub` does: "1,000.5" stays whole, "a.b" splits);
    /// 4. split on white space (Python's definition).
    public static func tokenize13a(_ line: String) -> [String] {
        var s = line.replacingAll("<skipped>", with: "").replacingAll("-\n", with: "").replacingAll("\n", with: " ")
        if s.contains("&") {
            s = s.replacingAll("&quot;", with: "\"").replacingAll("&amp;", with: "&")
                .replacingAll("&lt;", with: "<").replacingAll("&gt;", with: ">")
        }
        var x: [Unicode.Scalar] = [" "] + Array(s.unicodeScalars) + [" "]
        x = x.flatMap { isSymbol13a($0) ? [" ", $0, " "] : [$0] }
        x = pairPass(x) { !isDigit($0) && isPeriodOrComma($1) } replace: { [$0, " ", $1, " "] }
        x = pairPass(x) { isPeriodOrComma($0) && !isDigit($1) } replace: { [" ", $0, " ", $1] }
        x = pairPass(x) { isDigit($0) && $1 == "-" } replace: { [$0, " ", $1, " "] }
        var tokens: [String] = [], current = String.UnicodeScalarView()
        for c in x {
            if isPythonSpace(c) {
                if !current.isEmpty { tokens.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// One `re.sub` pass of a two-scalar pattern: the leftmost match is replaced and the scan resumes after it.
    private static func pairPass(_ x: [Unicode.Scalar], _ matches: (Unicode.Scalar, Unicode.Scalar) -> Bool,
                                 replace: (Unicode.Scalar, Unicode.Scalar) -> [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = [], i = 0
        out.reserveCapacity(x.count + x.count / 2)
        while i < x.count {
            if i + 1 < x.count, matches(x[i], x[i + 1]) {
                out += replace(x[i], x[i + 1]); i += 2
            } else {
                out.append(x[i]); i += 1
            }
        }
        return out
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 0x30 && c.value <= 0x39 }
    private static func isPeriodOrComma(_ c: Unicode.Scalar) -> Bool { c == "." || c == "," }

    /// The class `[\{-\~\[-\` -\&\(-\+\:-\@\/]` of the 13a regular expression.
    private static func isSymbol13a(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: return true
        default: return false
        }
    }
}

/// Python's `str.isspace` (what `str.split()` and `rstrip()` use): Unicode White_Space plus the separators U+001C–U+001F.
func isPythonSpace(_ c: Unicode.Scalar) -> Bool {
    c.properties.isWhitespace || (c.value >= 0x1C && c.value <= 0x1F)
}

private extension String {
    /// Non-overlapping left-to-right replacement on Unicode scalars (Python's `str.replace`), so that "\r\n" is not
    /// one unit as it is for `Character`s.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let t = Array(target.unicodeScalars), x = Array(unicodeScalars)
        guard !t.isEmpty, x.count >= t.count else { return self }
        var out = String.UnicodeScalarView(), i = 0
        while i < x.count {
            if i + t.count <= x.count, x[i..<i + t.count].elementsEqual(t) {
                out.append(contentsOf: replacement.unicodeScalars); i += t.count
            } else {
                out.append(x[i]); i += 1
            }
        }
        return String(out)
    }
}
