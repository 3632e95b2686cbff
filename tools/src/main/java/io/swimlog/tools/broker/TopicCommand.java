package io.swimlog.tools.broker;

import io.swimlog.client.Admin;
import io.swimlog.client.TopicDescription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code swimlog topic create|list|describe|delete}.
 */
@Command(
    name = "topic",
    mixinStandardHelpOptions = true,
    description = "Create, list, describe and delete topics.",
    subcommands = {
        TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
        TopicCommand.Delete.class })
public final class TopicCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "topic needs create, list, describe or delete");
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--topic", required = true, paramLabel = "T", description = "Name of the topic.")
        String topic;

        @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions (default: ${DEFAULT-VALUE}).")
        int partitions;

        @Option(names = "--replication", paramLabel = "R", defaultValue = "1",
            description = "Replication factor; 1 while a cluster is one broker (default: ${DEFAULT-VALUE}).")
        int replication;

        public Integer call()
        {
            try (Admin admin = Admin.create(client.context(spec.commandLine())))
            {
                admin.createTopic(topic, partitions, replication);
            }
            spec.commandLine().getOut().println("created topic " + topic + " with " + partitions +
                (1 == partitions ? " partition" : " partitions"));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List topics, one name a line.")
    static final class ListTopics implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Admin.create(client.context(spec.commandLine())))
            {
                for (final TopicDescription topic : admin.listTopics())
                {
                    out.println(topic.name());
                }
            }
            return 0;
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe a topic: its partitions, leaders and offsets.")
    static final class Describe implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--topic", required = true, paramLabel = "T", description = "Name of the topic.")
        String topic;

        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Admin.create(client.context(spec.commandLine())))
            {
                final TopicDescription description = admin.describeTopic(topic);
                out.println("topic " + description.name() + " partitions " + description.partitions().size() +
                    " replication " + description.replicationFactor());
                for (final TopicDescription.Partition partition : description.partitions())
                {
                    out.println("  partition " + partition.partition() + " leader " + partition.leader() +
                        " epoch " + partition.leaderEpoch() + " log-start " + partition.logStartOffset() +
                        " high-watermark " + partition.highWatermark());
                }
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic and its data.")
    static final class Delete implements Callable<Integer>
    {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = "--topic", required = true, paramLabel = "T", description = "Name of the topic.")
        String topic;

        public Integer call()
        {
            try (Admin admin = Admin.create(client.context(spec.commandLine())))
            {
                admin.deleteTopic(topic);
            }
            spec.commandLine().getOut().println("deleted topic " + topic);
            return 0;
        }
    }
}
