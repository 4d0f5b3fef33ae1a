package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Checks credentials against a registry and stores them in the auth file.",
                "The password is read from standard input (--password-stdin) or -p; never echoed or logged."},
        footer = {"", "Example: printf '%s' \"$TOKEN\" | kiln login -u ci --password-stdin registry.example.com:5000"})
final class LoginCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name.")
    String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
            description = "Password (visible in the process list: prefer --password-stdin).")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input (up to the first newline).")
    boolean passwordStdin;

    @Option(names = "--authfile", paramLabel = "FILE",
            description = "Auth file to write (default: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json).")
    Path authFile;

    @Option(names = "--tls-verify", paramLabel = "BOOL", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Verify the registry's TLS certificate (default: true).")
    boolean tlsVerify = true;

    @Option(names = "--cert-dir", paramLabel = "DIR", description = "Directory of CA certificates (*.crt) for the registry.")
    Path certDir;

    @Parameters(paramLabel = "REGISTRY", description = "host[:port] of the registry.")
    String registry;

    @Override
    public Integer call() {
        if (username == null) throw new ParameterException(spec.commandLine(), "give the user name with -u USER");
        if (passwordStdin && password != null) {
            throw new ParameterException(spec.commandLine(), "--password and --password-stdin are mutually exclusive");
        }
        if (!passwordStdin && password == null) {
            throw new ParameterException(spec.commandLine(), "give the password with --password-stdin (or -p)");
        }
        String secret = passwordStdin ? readStdin() : password;
        Kiln.login(registry, username, secret, authFile, tlsVerify, certDir);
        spec.commandLine().getOut().println("Login Succeeded!");
        return 0;
    }

    private static String readStdin() {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            return line == null ? "" : line.strip();
        } catch (IOException e) {
            throw new UncheckedIOException("reading the password from standard input", e);
        }
    }
}
