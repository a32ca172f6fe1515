import ArgumentParser

@main
struct AuthdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd", subcommands: [ServeCommand.self], defaultSubcommand: ServeCommand.self)
}
