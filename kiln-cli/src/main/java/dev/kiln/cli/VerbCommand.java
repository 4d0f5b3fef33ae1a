package dev.kiln.cli;

import dev.kiln.Kiln;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A verb that works on the store: opens it, makes its one facade call, prints, closes it. */
abstract class VerbCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        validate();
        try (Kiln kiln = main.openStore()) {
            run(kiln, spec.commandLine().getOut());
        }
        return 0;
    }

    /** Checks option combinations picocli cannot express; throws {@link #usage}. */
    void validate() {}

    abstract void run(Kiln kiln, PrintWriter out);

    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
