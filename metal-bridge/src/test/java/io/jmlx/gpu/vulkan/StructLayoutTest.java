package io.jmlx.gpu.vulkan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.gpu.testing.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every struct of {@link VkStructs}, compared with the C compiler's view of {@code vulkan_core.h}: a C program
 * generated from the Java declarations prints {@code sizeof} each struct and {@code offsetof} each field (nested
 * fields by dotted path), and every number must equal the Java layout's.
 */
class StructLayoutTest {

    @Test
    void everyStructMatchesTheCHeaders(@TempDir Path dir) throws Exception {
        String cc = System.getenv().getOrDefault("CC", "cc");
        Prerequisites.require(
                runs(List.of(cc, "--version")),
                "no C compiler '" + cc
                        + "' to check the Vulkan struct layouts (Debian/Ubuntu: apt-get install gcc libvulkan-dev)");
        Path source = dir.resolve("layouts.c");
        Files.writeString(source, program());
        Path binary = dir.resolve("layouts");
        Process compile = new ProcessBuilder(cc, "-std=c11", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        String compileOutput = new String(compile.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(compile.waitFor(60, TimeUnit.SECONDS), "the C compiler timed out");
        if (compile.exitValue() != 0 && compileOutput.contains("vulkan/vulkan_core.h")) {
            Prerequisites.require(
                    false, "the Vulkan C headers are missing (Debian/Ubuntu: apt-get install libvulkan-dev)");
        }
        assertEquals(0, compile.exitValue(), "compiling the layout program failed:\n" + compileOutput);
        Process run =
                new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, run.exitValue(), output);

        Map<String, Long> c = new HashMap<>();
        for (String line : output.split("\n")) {
            int space = line.lastIndexOf(' ');
            c.put(
                    line.substring(0, space),
                    Long.parseLong(line.substring(space + 1).trim()));
        }
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (CStruct s : VkStructs.ALL) {
            checked += compare(c, s.name() + " sizeof", s.size(), mismatches);
            for (Map.Entry<String, Long> field : s.offsets().entrySet()) {
                checked += compare(c, s.name() + "." + field.getKey(), field.getValue(), mismatches);
            }
        }
        assertEquals(List.of(), mismatches, "Java layouts that differ from the C headers");
        assertTrue(checked > 300, "only " + checked + " numbers were compared");
    }

    private static int compare(Map<String, Long> c, String key, long java, List<String> mismatches) {
        Long expected = c.get(key);
        if (expected == null) {
            mismatches.add(key + ": not printed by the C program");
        } else if (expected != java) {
            mismatches.add(key + ": C " + expected + ", Java " + java);
        }
        return 1;
    }

    private static String program() {
        StringBuilder out = new StringBuilder("""
                #include <stddef.h>
                #include <stdio.h>
                #include <vulkan/vulkan_core.h>
                int main(void) {
                """);
        for (CStruct s : VkStructs.ALL) {
            out.append("  printf(\"%s sizeof %zu\\n\", \"")
                    .append(s.name())
                    .append("\", sizeof(")
                    .append(s.name())
                    .append("));\n");
            for (String path : s.offsets().keySet()) {
                out.append("  printf(\"%s %zu\\n\", \"")
                        .append(s.name())
                        .append('.')
                        .append(path)
                        .append("\", offsetof(")
                        .append(s.name())
                        .append(", ")
                        .append(path)
                        .append("));\n");
            }
        }
        return out.append("  return 0;\n}\n").toString();
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
