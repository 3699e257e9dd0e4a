package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jmlx completion bash|zsh}: the script, sourced by a real bash, completes commands and their options for
 * {@code jmlx} and {@code ./jmlx}; zsh gets the same script (it loads bash completion itself); another shell is a
 * usage error.
 */
class CompletionCommandTest {
    @TempDir
    Path dir;

    /** What bash completes for the words of {@code line} (the last one being completed), one per line. */
    private String complete(Path script, String line) throws IOException, InterruptedException {
        String words = line.endsWith(" ") ? line + "''" : line;
        String bash = "source '" + script + "' 2>/dev/null; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; "
                + "COMP_WORDS=(" + words + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
                + "_complete_jmlx 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"";
        Process p =
                new ProcessBuilder("bash", "-c", bash).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void bashCompletesCommandsAndOptions() throws IOException, InterruptedException {
        Cli.Result r = Cli.run("completion", "bash");
        assertEquals(0, r.exitCode(), r::toString);
        Path script = Files.writeString(dir.resolve("jmlx.bash"), r.out());
        assertEquals(List.of("generate"), complete(script, "jmlx gen").lines().toList());
        assertEquals(
                List.of("embed", "example"),
                complete(script, "./jmlx e").lines().sorted().toList());
        assertEquals(
                List.of("--max-tokens"),
                complete(script, "jmlx generate --max").lines().toList());
        assertTrue(complete(script, "jmlx inspect --").lines().toList().contains("--json"));
        assertTrue(r.out().contains("complete -F _complete_jmlx -o default jmlx"), "registered for jmlx");
    }

    @Test
    void zshGetsTheScriptThatLoadsBashCompletionAndOtherShellsAreRefused() {
        Cli.Result zsh = Cli.run("completion", "zsh");
        assertEquals(0, zsh.exitCode(), zsh::toString);
        assertTrue(zsh.out().contains("autoload -U +X bashcompinit && bashcompinit"), zsh::toString);
        assertEquals(Cli.run("completion", "bash").out(), zsh.out());
        Cli.Result fish = Cli.run("completion", "fish");
        assertEquals(2, fish.exitCode(), fish::toString);
        assertEquals("jmlx completion: SHELL must be bash or zsh, not 'fish'\n", fish.err());
    }
}
