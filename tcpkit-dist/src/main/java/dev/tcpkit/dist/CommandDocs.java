package dev.tcpkit.dist;

import dev.tcpkit.app.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the shell completion scripts and the man pages' AsciiDoc from the same command tree that {@code --help}
 * describes, so neither can drift from the options. Run by the build: {@code CommandDocs COMPLETION_DIR ADOC_DIR}.
 */
public final class CommandDocs {
    private CommandDocs() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException(
                    "usage: CommandDocs COMPLETION_DIR ADOC_DIR, but was " + args.length + " arguments");
        }
        CommandLine tcpkit = Main.commandLine();
        Path completion = Files.createDirectories(Path.of(args[0]));
        String bash = AutoComplete.bash("tcpkit", tcpkit);
        Files.writeString(completion.resolve("tcpkit"), bash, StandardCharsets.UTF_8);
        Files.writeString(completion.resolve("_tcpkit"), zsh(bash), StandardCharsets.UTF_8);
        Path adoc = Files.createDirectories(Path.of(args[1]));
        int status =
                ManPageGenerator.generateManPage(adoc.toFile(), null, new boolean[0], true, tcpkit.getCommandSpec());
        if (status != 0) {
            throw new IOException("the man pages' AsciiDoc was not written to " + adoc + ": status " + status);
        }
    }

    /**
     * Zsh's completion file: picocli's script runs in zsh through {@code bashcompinit}. Zsh autoloads the file as the
     * function {@code _tcpkit} the first time {@code tcpkit} is completed; that first call defines the bash functions,
     * registers them for later completions ({@code complete}) and completes this once itself. The script's {@code
     * alias compopt=complete} comes too late for functions parsed with it, as the whole file is: a function does.
     */
    static String zsh(String bash) {
        return "#compdef tcpkit\ncompopt() { complete \"$@\"; }\n" + bash
                + "\n_bash_complete -F _complete_tcpkit -o default\n";
    }
}
