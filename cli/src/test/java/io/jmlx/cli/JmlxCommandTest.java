package io.jmlx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The top-level {@code jmlx} command: help, version, and what happens without a subcommand. */
class JmlxCommandTest {
    @Test
    void helpListsTheSubcommands() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.exitCode());
        for (String sub : new String[] {"quantize", "dequantize", "example", "help"}) {
            assertTrue(r.out().contains("\n  " + sub + " "), () -> sub + " missing from\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes"), r.out());
    }

    @Test
    void versionNamesJmlxAndTheRuntime() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().matches("(?s)jmlx \\d+\\.\\d+\\.\\d+\\S*\nJava 2[5-9].*"), r.out());
        assertTrue(!r.out().contains("unknown"), "the build fills in the version: " + r.out());
    }

    @Test
    void noSubcommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("jmlx: a command is needed"), r.err());
        assertTrue(r.err().contains("Usage: jmlx"), r.err());
    }

    @Test
    void unknownSubcommandsAndOptionsAreUsageErrors() {
        assertEquals(2, Cli.run("frobnicate").exitCode());
        assertEquals(2, Cli.run("quantize", "--no-such-option").exitCode());
        Cli.Result r = Cli.run("quantize", "-i", "x.safetensors");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Missing required option: '--output=PATH'"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"convert", "inspect", "quantize", "dequantize", "example"})
    void everySubcommandHasHelp(String sub) {
        Cli.Result r = Cli.run(sub, "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("Usage: jmlx " + sub), r.out());
        boolean writes = !sub.equals("inspect");
        assertEquals(writes, r.out().contains("--output"), r.out());
        assertEquals(writes, r.out().contains("--force"), r.out());
        Cli.Result viaHelp = Cli.run("help", sub);
        assertEquals(0, viaHelp.exitCode());
        assertEquals(r.out(), viaHelp.out());
    }

    @Test
    void dequantizeHelpDocumentsWhereGroupSizeAndBitsComeFrom() {
        String help = Cli.run("dequantize", "--help").out();
        assertTrue(help.contains("jmlx.quantization") && help.contains("MLX's defaults"), help);
        assertTrue(
                help.contains("uint8 scales mean a microscaling mode") && help.contains("4: mxfp4, 8: mxfp8, 2: nvfp4"),
                help);
        assertTrue(help.contains("--dtype=TYPE") && help.contains("bfloat16 for the microscaling modes"), help);
    }

    @Test
    void quantizeHelpListsTheModesWithTheirDefaults() {
        String help = Cli.run("quantize", "--help").out();
        for (String mode : new String[] {"affine  64 / 4", "mxfp4   32 / 4", "mxfp8   32 / 8", "nvfp4   16 / 4"}) {
            assertTrue(help.contains("\n  " + mode + "  "), () -> mode + " missing from\n" + help);
        }
        assertTrue(help.contains("quantized without a global scale"), help);
        assertTrue(help.contains("--mode mxfp4"), help);
    }
}
