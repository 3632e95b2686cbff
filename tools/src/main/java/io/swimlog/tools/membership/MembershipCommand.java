package io.swimlog.tools.membership;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code swimlog membership ...}: the membership library on its own, as a standalone member or in simulation.
 */
@Command(
    name = "membership",
    mixinStandardHelpOptions = true,
    description = "Run a standalone SWIM member, or the protocol in simulation.",
    subcommands = { MembershipRunCommand.class, MembershipSimCommand.class, MembershipScaleCommand.class })
public final class MembershipCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "membership needs a subcommand: run or sim");
    }
}
