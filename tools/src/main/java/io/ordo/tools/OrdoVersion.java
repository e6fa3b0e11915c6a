package io.ordo.tools;

import io.ordo.protocol.wire.Messages;
import picocli.CommandLine;

/** Version text for {@code ordo --version}. */
public final class OrdoVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Ordo.class.getPackage().getImplementationVersion();
    return new String[] {
      "ordo "
          + (v == null ? "0.1.0-SNAPSHOT" : v)
          + ", protocol version "
          + Messages.PROTOCOL_VERSION
    };
  }
}
