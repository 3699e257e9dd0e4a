package io.jmlx.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jmlx.gpu.testing.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed SPIR-V is what the GLSL compiles to ({@code glslc} with the flags of {@code glslc.flags}, as
 * {@code ./compile-kernels} runs it), every shipped kernel has its resource, and every kernel translates to Metal
 * Shading Language with {@code spirv-cross --msl} (what MoltenVK does on Apple GPUs).
 */
class KernelSourcesTest {
    private static final Path MAIN_GLSL = Path.of("src/main/glsl");
    private static final Path MAIN_SPIRV = Path.of("src/main/resources/io/jmlx/gpu/spirv");
    private static final Path TEST_GLSL = Path.of("src/test/glsl");
    private static final Path TEST_SPIRV = Path.of("src/test/resources/io/jmlx/gpu/spirv");

    @Test
    void everyKernelHasItsSpirvResource() throws IOException {
        List<String> sources = kernels(MAIN_GLSL).stream()
                .map(KernelSourcesTest::name)
                .sorted()
                .toList();
        List<String> kernels = Arrays.stream(GpuKernel.values())
                .map(GpuKernel::fileName)
                .sorted()
                .toList();
        assertEquals(sources, kernels, "GLSL kernels and GpuKernel constants");
        for (GpuKernel k : GpuKernel.values()) {
            assertTrue(Pipelines.load(k).length > 0, k.resource());
        }
    }

    @Test
    void committedSpirvEqualsFreshlyCompiledGlsl(@TempDir Path dir) throws Exception {
        Prerequisites.require(
                runs(List.of("glslc", "--version")),
                "glslc is missing, so the committed SPIR-V cannot be regenerated (Debian/Ubuntu: apt-get install glslc)");
        List<String> flags = Files.readAllLines(MAIN_GLSL.resolve("glslc.flags")).stream()
                .filter(l -> !l.isBlank())
                .toList();
        List<String> stale = new ArrayList<>();
        for (Path[] set : new Path[][] {{MAIN_GLSL, MAIN_SPIRV}, {TEST_GLSL, TEST_SPIRV}}) {
            for (Path source : kernels(set[0])) {
                Path fresh = dir.resolve(name(source) + ".spv");
                List<String> command = new ArrayList<>(List.of("glslc"));
                command.addAll(flags);
                command.addAll(List.of(source.toString(), "-o", fresh.toString()));
                run(command);
                byte[] committed = Files.readAllBytes(set[1].resolve(name(source) + ".spv"));
                if (!Arrays.equals(committed, Files.readAllBytes(fresh))) {
                    stale.add(source.toString());
                }
            }
        }
        assertEquals(
                List.of(), stale, "kernels whose committed .spv differs from glslc's output: run ./compile-kernels");
    }

    @Test
    void everyKernelTranslatesToMetal(@TempDir Path dir) throws Exception {
        Prerequisites.require(
                runs(List.of("spirv-cross", "--help")),
                "spirv-cross is missing, so the Metal translation is not checked (Debian/Ubuntu: apt-get install spirv-cross)");
        int translated = 0;
        for (GpuKernel k : GpuKernel.values()) {
            Path spirv = dir.resolve(k.fileName() + ".spv");
            Files.write(spirv, Pipelines.load(k));
            Path msl = dir.resolve(k.fileName() + ".metal");
            run(List.of(
                    "spirv-cross", "--msl", "--msl-version", "20300", spirv.toString(), "--output", msl.toString()));
            String source = Files.readString(msl);
            assertTrue(source.contains("kernel void main0("), k.fileName() + " has no Metal compute entry point");
            translated++;
        }
        System.out.println("[jmlx-gpu] spirv-cross --msl translated all " + translated + " kernels to Metal 2.3");
    }

    private static List<Path> kernels(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".comp")).sorted().toList();
        }
    }

    private static String name(Path source) {
        String file = source.getFileName().toString();
        return file.substring(0, file.length() - ".comp".length());
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + output);
    }

    private static boolean runs(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
