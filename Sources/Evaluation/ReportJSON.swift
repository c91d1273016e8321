import AudioIO
import Foundation

/// The JSON form shared by the reports: snake_case keys, sorted, indented; infinities and NaN as the strings
/// `"inf"`, `"-inf"`, `"nan"` (an SDR can be infinite).
enum ReportJSON {
    static func encoded<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value) + Data("\n".utf8)
    }

    static func decoded<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }

    /// Writes `text` atomically (temporary file, then rename).
    static func write(_ text: String, to path: String) throws {
        try AtomicOutput.write(Data(text.utf8), to: path)
    }
}
