package io.jmlx;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.Slice;
import io.jmlx.quant.QuantizationMode;
import io.jmlx.quant.QuantizationSettings;
import org.junit.jupiter.api.Test;

/**
 * The layer rules of the core, checked on its compiled classes (tests excluded). From the bottom up: the backend
 * interface ({@code backend}) and the CPU kernels ({@code kernels}) know only the vocabulary ({@link DType},
 * {@link Shape}, the quantization settings); streams ({@code stream}) find backends; the op implementations
 * ({@code ops}) check arguments and call a stream's kernels; the API on top is {@link Jmlx} with {@link Array} and
 * {@code quant}; {@code nn} and the file formats ({@code io}) use the API. The root package is both the vocabulary
 * every layer speaks and the facade over the ops, so it is not one of the slices the cycle rule compares.
 */
class ArchitectureTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.jmlx");

    /** What the kernels may use: the JDK, the Vector API, the backend interface, themselves, the vocabulary. */
    private static final DescribedPredicate<JavaClass> BELOW_THE_OPS = DescribedPredicate.describe(
            "the JDK, the Vector API, io.jmlx.backend, io.jmlx.kernels, DType, Shape, QuantizationSettings or "
                    + "QuantizationMode",
            c -> c.getPackageName().startsWith("java")
                    || c.getPackageName().startsWith("jdk.incubator.vector")
                    || c.getPackageName().startsWith("io.jmlx.backend")
                    || c.getPackageName().startsWith("io.jmlx.kernels")
                    || c.isEquivalentTo(DType.class)
                    || c.isEquivalentTo(Shape.class)
                    || c.isEquivalentTo(QuantizationSettings.class)
                    || c.isEquivalentTo(QuantizationMode.class));

    private static void check(ArchRule rule) {
        rule.check(CORE);
    }

    @Test
    void kernelsAndTheBackendInterfaceImportNothingAboveThem() {
        check(classes()
                .that()
                .resideInAnyPackage("io.jmlx.kernels..", "io.jmlx.backend..")
                .should()
                .onlyDependOnClassesThat(BELOW_THE_OPS));
    }

    @Test
    void onlyTheApiCallsTheFacade() {
        check(noClasses()
                .that()
                .resideInAnyPackage("io.jmlx.ops..", "io.jmlx.kernels..", "io.jmlx.backend..", "io.jmlx.stream..")
                .should()
                .dependOnClassesThat()
                .areAssignableTo(Jmlx.class));
    }

    @Test
    void ioNeverImportsTheModelLayerOrTheCommandLine() {
        check(noClasses()
                .that()
                .resideInAPackage("io.jmlx.io..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.jmlx.nn..", "io.jmlx.cli.."));
    }

    @Test
    void theCoreNeverImportsTheCommandLine() {
        check(noClasses().should().dependOnClassesThat().resideInAPackage("io.jmlx.cli.."));
    }

    @Test
    void theFormatsDoNotDependOnEachOtherExceptThroughTheirCommonPackage() {
        check(noClasses()
                .that()
                .resideInAnyPackage("io.jmlx.io.safetensors..", "io.jmlx.io.onnx..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.jmlx.io.model.."));
    }

    /**
     * The two API packages, {@code io.jmlx} and {@code io.jmlx.quant}, hold both the vocabulary the lower layers
     * speak ({@link DType}, {@link QuantizationSettings}, ...) and the API over the ops (the facade,
     * {@code QuantizedArray}, which takes a stream): they are the top and the bottom at once, so they are left out
     * of the cycle check, and the rules above limit what the lower layers take from them to the vocabulary.
     */
    @Test
    void implementationPackagesHaveNoCycles() {
        check(slices().matching("io.jmlx.(*)..")
                .that(DescribedPredicate.describe(
                        "are not the API package quant", (Slice slice) -> !"quant".equals(slice.getNamePart(1))))
                .should()
                .beFreeOfCycles());
        check(slices().matching("io.jmlx.io.(*)..").should().beFreeOfCycles());
    }

    @Test
    void streamsKnowOnlyTheBackendInterface() {
        check(noClasses()
                .that()
                .resideInAPackage("io.jmlx.stream..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.jmlx.quant..", "io.jmlx.ops..", "io.jmlx.kernels..", "io.jmlx.nn..", "io.jmlx.io.."));
    }
}
