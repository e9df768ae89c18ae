package dev.braid.it.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for one test with the JDK's own {@code keytool} (present wherever the tests
 * run): a throw-away CA, a server certificate for the given IP addresses signed by it, and a client
 * certificate for mutual TLS. Everything is written as PEM (private keys as PKCS#8), the form
 * grpc-java, grpcio and grpc-js all read. Valid for two days.
 */
public record TestCerts(
    Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey, Path otherCa) {
  private static final String PASS = "braid-test";

  /** Makes the certificates in {@code dir}; the server's names are {@code localhost} and IPs. */
  public static TestCerts make(Path dir, String... serverIps) throws Exception {
    Path ca = dir.resolve("ca.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=braid test CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        ca.toString());
    Path caPem = dir.resolve("ca.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-file",
        caPem.toString());

    StringBuilder san = new StringBuilder("SAN=dns:localhost");
    for (String ip : serverIps) {
      san.append(",ip:").append(ip);
    }
    Path[] server = leaf(dir, ca, "server", "CN=braid test gateway", san.toString());
    Path[] client = leaf(dir, ca, "client", "CN=braid test worker", "EKU=clientAuth");

    // a second, unrelated CA: a worker trusting it must fail the handshake
    Path other = dir.resolve("other.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "other",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=unrelated CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        other.toString());
    Path otherPem = dir.resolve("other-ca.pem");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "other",
        "-keystore",
        other.toString(),
        "-file",
        otherPem.toString());
    return new TestCerts(caPem, server[0], server[1], client[0], client[1], otherPem);
  }

  /** A key pair signed by the CA: returns {certificate PEM, private key PEM}. */
  private static Path[] leaf(Path dir, Path ca, String name, String dname, String ext)
      throws Exception {
    Path store = dir.resolve(name + ".p12");
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        dname,
        "-validity",
        "2",
        "-keystore",
        store.toString());
    Path csr = dir.resolve(name + ".csr");
    keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-file", csr.toString());
    Path cert = dir.resolve(name + ".pem");
    keytool(
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        ca.toString(),
        "-infile",
        csr.toString(),
        "-outfile",
        cert.toString(),
        "-validity",
        "2",
        "-ext",
        ext);
    Path key = dir.resolve(name + "-key.pem");
    Files.writeString(key, privateKeyPem(store, name));
    return new Path[] {cert, key};
  }

  private static String privateKeyPem(Path store, String alias) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASS.toCharArray());
    }
    PrivateKey k = (PrivateKey) ks.getKey(alias, PASS.toCharArray());
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(k.getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storepass", PASS, "-storetype", "PKCS12", "-noprompt"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("keytool did not finish: " + cmd);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "keytool failed (" + p.exitValue() + "): " + new String(out, StandardCharsets.UTF_8));
    }
  }
}
