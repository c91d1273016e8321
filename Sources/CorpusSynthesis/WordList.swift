import AudioDatasets
import Foundation

/// English words to search for phonetic neighbours: the system's dictionary (Debian's `wamerican`,
/// `/usr/share/dict/american-english`) when installed, else a small built-in list of common words.
public struct WordList: Sendable {
    /// Lower-case words of letters only, distinct, sorted.
    public let words: [String]
    /// Where they came from: the file's path, or `built-in`.
    public let source: String

    /// The dictionary files tried, in order.
    public static let systemPaths = ["/usr/share/dict/american-english", "/usr/share/dict/words"]

    /// A list of `words` (filtered to lower-case letters, 2 to `maximumLength` long).
    public init(words: [String], source: String, maximumLength: Int = 12) {
        let kept = words.map { $0.trimmingCharacters(in: .whitespaces) }.filter { word in
            (2...maximumLength).contains(word.count) && word.allSatisfy { $0.isASCII && $0.isLowercase && $0.isLetter }
        }
        self.words = Array(Set(kept)).sorted()
        self.source = source
    }

    /// The first readable file of `paths` (one word per line; proper nouns, possessives and words longer than
    /// `maximumLength` are skipped), or the built-in list.
    public static func load(paths: [String] = systemPaths, maximumLength: Int = 12) -> WordList {
        for path in paths {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                let list = WordList(words: text.split(whereSeparator: \.isNewline).map(String.init), source: path, maximumLength: maximumLength)
                if !list.words.isEmpty { return list }
            }
        }
        return WordList(words: builtIn, source: "built-in", maximumLength: maximumLength)
    }

    /// Phrases from a command-line argument: comma-separated (`"harvest, high jarvis"`), or `@FILE` with one
    /// phrase per line, where a line's text after its last tab is itself comma-separated (so a wake-word run's
    /// `confusers.txt`, `phrase<TAB>confuser, confuser`, gives its confusers). Lower-cased, trimmed, distinct, in order.
    /// - Throws: ``DatasetError/invalidOption(name:value:reason:)`` for an unreadable file or no phrase at all.
    public static func phrases(_ argument: String) throws(DatasetError) -> [String] {
        var lines: [Substring] = [Substring(argument)]
        if argument.hasPrefix("@") {
            let path = String(argument.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .invalidOption(name: "phrases", value: argument, reason: "\(path): cannot read the file")
            }
            lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.split(separator: "\t").last ?? "" }
        }
        var seen = Set<String>(), phrases: [String] = []
        for line in lines {
            for part in line.split(separator: ",") {
                let phrase = part.trimmingCharacters(in: .whitespaces).lowercased()
                if !phrase.isEmpty, seen.insert(phrase).inserted { phrases.append(phrase) }
            }
        }
        guard !phrases.isEmpty else { throw .invalidOption(name: "phrases", value: argument, reason: "no phrase given") }
        return phrases
    }

    /// About 400 common English words, for machines without a dictionary (and for tests).
    public static let builtIn: [String] = """
        a about above across act add after again against age ago air all almost alone along already also always am \
        among an and animal answer any appear apple are area arm army around art as ask at away baby back bad bag ball \
        bank bar base basket be bear beat bed been before began begin behind being bell below best better between big \
        bird bit black blue board boat body bone book born both bottom box boy bread break bring brother brown build \
        burn business but buy by call came can car care carry case cat catch cause center chair chance change charge \
        check child city class clear close cold color come common complete computer consider contain control cook cool \
        corn cost could count country course cover cross cry cup cut dark day dead deal dear deep did die different \
        dinner do doctor does dog dollar done door down draw dream dress drink drive drop dry during each ear early \
        earth east eat edge egg end enough even evening ever every eye face fact fair fall family far farm fast father \
        fear feel feet few field fight fill find fine fire first fish five floor fly follow food foot for force form \
        four free friend from front full game garden gas gave get girl give glass go gold good got great green ground \
        group grow had hair half hall hand happy hard harvest has hat have he head hear heart heat heavy held help her \
        here high hill him his hit hold hole home hope horse hot hour house how hundred ice idea if in inch into iron \
        is it job join jump just keep key kind king knew know lady lake land large last late laugh law lay lead learn \
        leave left leg less let letter life light like line list listen little live long look lost lot love low made \
        main make man many map mark market master may me mean meet men middle might mile milk mind minute miss money \
        month moon more morning most mother mountain mouth move much music must my name near need never new news next \
        night nine no noise north nose not note nothing now number of off office often oil old on once one only open \
        or order other our out over own page paint paper park part party pass past pay people perhaps person pick \
        picture piece place plan plant play please point poor power press pretty price problem public pull push put \
        question quick quiet race rain ran reach read ready real red remember rest rich ride right ring river road \
        rock roll room round row rule run said sail salt same sand save saw say school sea seat second see seem sell \
        send serve set seven shall she ship shop short should show side sign simple since sing sister sit six size \
        sky sleep slow small smile snow so soft some son song soon sound south space speak special stand star start \
        state stay step still stone stop store story street strong study such sudden summer sun sure table tail take \
        talk tall teach team tell ten than that the their them then there these they thing think this those though \
        three through time to today together told too took top total touch toward town track train travel tree true \
        try turn two under until up us use very visit voice wait walk wall want war warm was wash watch water wave way \
        we wear weather week well went were west what wheel when where which while white who whole why wide wife will \
        wind window winter wish with without woman wonder wood word work world would write year yellow yes yet you young
        """.split(separator: " ").map(String.init)
}
