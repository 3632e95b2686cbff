package io.swimlog.tools.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.MemberDescription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Base64;
import java.util.concurrent.Callable;

/**
 * {@code swimlog members}: the cluster's members as a broker's membership sees them.
 */
@Command(name = "members", mixinStandardHelpOptions = true,
    description = "List the cluster's members as the bootstrap broker sees them.")
public final class MembersCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--json", description = "One JSON object a line: member, address, state, incarnation, " +
        "metadata (base64).")
    boolean json;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = Admin.create(client.context(spec.commandLine())))
        {
            for (final MemberDescription member : admin.members())
            {
                if (json)
                {
                    out.println("{" + Json.string("member") + ": " + Json.string(member.member()) + ", " +
                        Json.string("address") + ": " + Json.string(member.address()) + ", " +
                        Json.string("state") + ": " + Json.string(member.state()) + ", " +
                        Json.string("incarnation") + ": " + member.incarnation() + ", " +
                        Json.string("metadata") + ": " +
                        Json.string(Base64.getEncoder().encodeToString(member.metadata())) + "}");
                }
                else
                {
                    out.println(member.member() + " " + member.address() + " " + member.state() +
                        " incarnation " + member.incarnation());
                }
            }
        }
        return 0;
    }
}
