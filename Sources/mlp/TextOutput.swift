#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Text the tool prints: numbers in fixed and scientific notation, columns, standard error.

/// Writes `text` to standard error unbuffered (write(2)), so it interleaves correctly with stdout.
func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// `value` with `digits` decimals (no Foundation needed).
func format(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    if abs(value) >= 1e12 { return "\(value)" }  // beyond fixed-point sense (and Int's range)
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    var fraction = String(Int(scaled - Double(whole) * scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (value < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + fraction : "")
}

/// Left-aligned in `width` columns.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

/// `1.23e-07`: three significant digits in scientific notation.
func scientific(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    if value == 0 { return "0" }
    var exponent = 0, mantissa = abs(value)
    while mantissa >= 10 { mantissa /= 10; exponent += 1 }
    while mantissa < 1 { mantissa *= 10; exponent -= 1 }
    mantissa = (mantissa * 100).rounded() / 100
    if mantissa >= 10 { mantissa /= 10; exponent += 1 }  // 9.996 rounds up to the next decade
    let rounded = format(mantissa, digits: 2)
    let sign = exponent < 0 ? "-" : "+"
    let digits = String(abs(exponent))
    return (value < 0 ? "-" : "") + rounded + "e" + sign + (digits.count < 2 ? "0" + digits : digits)
}

/// Right-aligned in `width` columns.
func padLeft(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// `text` safe for a terminal: control characters (C0, DEL, C1: escape sequences, carriage
/// returns, bells, newlines) written as `\u{1B}`, everything else as it is. For text that
/// comes from files (tensor names, metadata, paths in error messages).
func printable(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
            result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}
