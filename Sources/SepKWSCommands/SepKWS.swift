import ArgumentParser
import AudioIO
import Foundation

/// The root `sepkws` command: separates overlapped speech and spots keywords on a CPU.
public struct SepKWS: ParsableCommand {
    /// The version printed by `sepkws --version`.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "sepkws",
        abstract: "Separate overlapped speech and spot keywords on an ordinary CPU.",
        version: version,
        subcommands: [
            Info.self, Features.self, Resample.self, Separate.self, Classify.self, Synth.self, TrainSep.self, EvalSep.self,
            Pretrain.self, TrainKWS.self, EvalKWS.self, Detect.self, EvalStream.self, Calibrate.self, ConvertModel.self,
            AverageModels.self, Inspect.self, Bench.self,
            MutualInformationCommand.self, InfoPlaneCommand.self, CompressCommand.self,
        ])

    public init() {}

    /// Runs the command line and exits: 0 on success, 1 when the work failed (a file, a model), 2 for usage errors.
    public static func main() {
        signal(SIGPIPE, SIG_IGN)
        // A parent may have left SIGINT/SIGTERM blocked (some process launchers do); commands that stop cleanly on
        // them need them delivered.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        // SIGINT/SIGTERM remove unfinished outputs and exit 130/143 (commands that stop cleanly install their own).
        PartialFiles.removeOnSignals()
        Foundation.exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Parses and runs `arguments` (without the program name), printing errors as one line on stderr.
    /// - Returns: the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                try? Console.line(fullMessage(for: error))
                return 0
            }
            Console.error(fullMessage(for: error))
            return 2
        }
        do {
            try command.run()
            return 0
        } catch let error as ValidationError {
            Console.error("error: \(error.message)\n" + usageString(for: type(of: command)))
            return 2
        } catch let error as ExitCode {
            return error.rawValue
        } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
            // `help` and friends run as commands and report through ArgumentParser's own errors.
            if exitCode(for: error) == .success {
                try? Console.line(fullMessage(for: error))
                return 0
            }
            Console.error(fullMessage(for: error))
            return 2
        } catch where FileSystemMessage.isFileError(error) {
            Console.error("error: \(FileSystemMessage.describe(error))")
            return 1
        } catch {
            Console.error("error: \(error)")
            return 1
        }
    }

    private static func usageString(for command: ParsableCommand.Type) -> String {
        "Usage: " + command.usageString().replacingOccurrences(of: "USAGE: ", with: "") + "\n  See 'sepkws help \(command._commandName)'."
    }
}
