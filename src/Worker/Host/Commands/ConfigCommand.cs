using System.CommandLine;
using Asl.Distributed.Configuration;
using Asl.Distributed.Configuration.Schema;
using Asl.Distributed.Configuration.Training;

namespace Asl.Distributed.Worker.Commands;

/// <summary>
/// <c>asl-worker config keys | schema | show</c>: every training setting with its type, default, range and
/// description (a table, or Markdown for the README), the same as JSON Schema for YAML editors, and a config as
/// a run would record it (every setting resolved, canonical spellings), checked without training.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create(TextWriter output, Func<ConfigException, int> refuse)
    {
        var format = new Option<KeyTableFormat>("--format") { Description = "text (aligned columns) or markdown (the README's table).", DefaultValueFactory = _ => KeyTableFormat.Text };
        var keys = new Command("keys", "Print every training setting: key, type, default, allowed values, description.") { format };
        keys.SetAction(result =>
        {
            output.Write(result.GetValue(format) == KeyTableFormat.Markdown ? KeyTable.Markdown(TrainingConfig.Schema) : KeyTable.Text(TrainingConfig.Schema));
            return 0;
        });

        var schema = new Command("schema", "Print the training config's JSON Schema (draft 2020-12), for YAML editors.");
        schema.SetAction(_ =>
        {
            output.Write(JsonSchemaWriter.Write(TrainingConfig.Schema, "Asl.Distributed training config"));
            return 0;
        });

        var config = new Argument<string>("config") { Description = "The training config (YAML)." };
        var overrides = new Argument<string[]>("overrides") { Description = "section.key=value settings that replace the config's.", Arity = ArgumentArity.ZeroOrMore };
        var show = new Command("show", "Check a config with its overrides and print it as a run records it (every setting, canonical spellings).") { config, overrides };
        show.SetAction(result =>
        {
            try
            {
                output.Write(TrainingConfigLoader.ToYaml(TrainingConfigLoader.Load(result.GetRequiredValue(config), result.GetValue(overrides) ?? [])));
                return 0;
            }
            catch (ConfigException e)
            {
                return refuse(e);
            }
        });

        return new Command("config", "The training settings: their schema, and a config checked and resolved.") { keys, schema, show };
    }

    /// <summary>How <c>config keys</c> prints the table.</summary>
    internal enum KeyTableFormat
    {
        Text,
        Markdown,
    }
}
