package io.ordo.tools;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ordo.protocol.wire.Transport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module table of design.md, enforced on the compiled classes of every module: a build that
 * breaks a boundary fails here.
 */
class ModuleBoundariesTest {
  static JavaClasses ordo;

  @BeforeAll
  static void importClasses() {
    ordo =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Under `mvn verify` other modules' test classes arrive as *-tests.jar files.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.ordo");
  }

  /** Formats and codecs; only {@link Transport}, the choice of event loops, touches channels. */
  @Test
  void protocolDependsOnlyOnTheJdkNettyBuffersAndZstd() {
    classes()
        .that()
        .resideInAPackage("io.ordo.protocol..")
        .and()
        .doNotHaveFullyQualifiedName(Transport.class.getName())
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "io.ordo.protocol..",
            "io.netty.buffer..",
            "io.netty.util..",
            "com.github.luben.zstd..")
        .check(ordo);
  }

  @Test
  void clientLibrariesNeverReachIntoTheBrokerOrTools() {
    noClasses()
        .that()
        .resideInAnyPackage("io.ordo.producer..", "io.ordo.consumer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.ordo.broker..", "io.ordo.tools..", "io.ordo.perf..")
        .check(ordo);
  }

  @Test
  void brokerDependsOnNoClientOrTool() {
    noClasses()
        .that()
        .resideInAPackage("io.ordo.broker..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.ordo.producer..", "io.ordo.consumer..", "io.ordo.tools..", "io.ordo.perf..")
        .check(ordo);
  }

  @Test
  void storageAndSequencerUseNoSocketsAndNoNettyChannels() {
    noClasses()
        .that()
        .resideInAnyPackage("io.ordo.broker.storage..", "io.ordo.broker.sequencer..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty.channel..", "io.netty.bootstrap..", "java.net..")
        .check(ordo);
  }

  @Test
  void replicationCoreIsPure() {
    noClasses()
        .that()
        .resideInAPackage("io.ordo.broker.replication..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..", "java.nio.channels..", "net.openhft..", "java.net..")
        .allowEmptyShould(true)
        .check(ordo);
  }
}
