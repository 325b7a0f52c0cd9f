using System.CommandLine;
using Mca.Systems.Model;

namespace Mca.Cli.Commands;

/// <summary>Options shared by several commands.</summary>
internal static class Common
{
    public static Option<bool> Json() => new("--json") { Description = "Print machine-readable JSON instead of text" };

    public static Option<string> Policy() => new("--policy")
    {
        Description = "Handler policy: rfc2009 (the 2009 RFC design, default), rfc2009-impacted, or xen (current upstream)",
        DefaultValueFactory = _ => "rfc2009",
    };

    public static HandlerPolicy ParsePolicy(string name)
    {
        try
        {
            return HandlerPolicy.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--policy: " + e.Message);
        }
    }
}
