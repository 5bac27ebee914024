package dev.tcpkit;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;

/**
 * The layering of tcpkit-core (docs/ARCHITECTURE.md), checked on its production classes so that a cycle or an upward
 * import fails the build instead of waiting for a reviewer.
 */
@AnalyzeClasses(packages = "dev.tcpkit", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTest {

    @ArchTest
    static final ArchRule packagesFormNoCycle =
            slices().matching("dev.tcpkit.(*)..").should().beFreeOfCycles();

    /** The library is what an embedder depends on: nothing of the application, nor the application's libraries. */
    @ArchTest
    static final ArchRule libraryNeverUsesTheApplication = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.tcpkit.app..", "picocli..", "ch.qos.logback..", "org.knowm.xchart..", "org.HdrHistogram..");

    /** Kafka is an optional module on top of the library (tcpkit-kafka): the library reaches it only as a RecordSink. */
    @ArchTest
    static final ArchRule libraryNeverUsesKafka =
            noClasses().should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "dev.tcpkit.kafka..");

    /** The bottom layer: every package may use the connection model, and it uses none of them. */
    /** Redis is an optional module on top (tcpkit-redis): an embedder without it gets neither Lettuce nor Reactor. */
    @ArchTest
    static final ArchRule libraryNeverUsesRedis = noClasses()
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.lettuce..", "reactor..", "dev.tcpkit.redis..");

    @ArchTest
    static final ArchRule connectionIsTheBottomLayer = noClasses()
            .that()
            .resideInAPackage("dev.tcpkit.connection..")
            .should()
            .dependOnClassesThat(resideInAPackage("dev.tcpkit..")
                    .and(resideOutsideOfPackages("dev.tcpkit.connection..", "dev.tcpkit.internal..")));

    /** Transport choice and its fallbacks live in one place: only the transport package makes bootstraps. */
    @ArchTest
    static final ArchRule onlyTransportMakesBootstraps = noClasses()
            .that()
            .resideOutsideOfPackage("dev.tcpkit.transport..")
            .should()
            .callConstructor(Bootstrap.class)
            .orShould()
            .callConstructor(ServerBootstrap.class);
}
