package dev.tcpkit.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;

/**
 * The layering of the application (docs/ARCHITECTURE.md), checked on its production classes: its packages form no
 * cycle, and its client and bench dial through tcpkit-core's transport instead of making bootstraps of their own.
 */
@AnalyzeClasses(packages = "dev.tcpkit.app", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesFormNoCycle =
            slices().matching("dev.tcpkit.app.(*)..").should().beFreeOfCycles();

    /** Transport choice and its fallbacks live in one place, tcpkit-core's transport package. */
    @ArchTest
    static final ArchRule onlyTransportMakesBootstraps =
            noClasses().should().callConstructor(Bootstrap.class).orShould().callConstructor(ServerBootstrap.class);
}
