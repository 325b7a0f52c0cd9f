using System.Text.RegularExpressions;

namespace Mca.Systems.Tests;

/// <summary>
/// Systems' namespaces form layers (docs/design.md "Layout"): no namespace reaches, through a chain of others, back
/// to itself. Read from the source (usings and qualified names), so a new dependency that closes a cycle fails here.
/// </summary>
public partial class NamespaceLayeringTests
{
    [Fact]
    public void SystemsNamespaces_HaveNoCycle()
    {
        string systems = Path.Combine(RepoRoot(), "Systems");
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (string dir in Directory.GetDirectories(systems).Where(d => !Path.GetFileName(d).StartsWith("bin", StringComparison.Ordinal) && Path.GetFileName(d) != "obj"))
        {
            string ns = Path.GetFileName(dir);
            var uses = edges[ns] = new HashSet<string>(StringComparer.Ordinal);
            foreach (string file in Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                string code = CommentLine().Replace(File.ReadAllText(file), string.Empty);
                foreach (Match m in Reference().Matches(code))
                {
                    if (m.Groups[1].Value != ns)
                    {
                        uses.Add(m.Groups[1].Value);
                    }
                }
            }
        }

        Assert.Contains("Pipeline", edges["Scenario"]);
        Assert.Contains("Engine", edges["Pipeline"]);
        foreach (string start in edges.Keys)
        {
            var path = Cycle(start, start, edges, [start], []);
            Assert.True(path is null, $"namespace cycle: {string.Join(" -> ", path ?? [])}");
        }
    }

    private static List<string>? Cycle(string start, string at, Dictionary<string, HashSet<string>> edges, List<string> path, HashSet<string> seen)
    {
        foreach (string next in edges.GetValueOrDefault(at) ?? [])
        {
            if (next == start)
            {
                return [.. path, next];
            }

            if (seen.Add(next) && Cycle(start, next, edges, [.. path, next], seen) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mca.Ecs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Mca.Ecs.sln) is not above the test's directory");
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"\bMca\.Systems\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex Reference();
}
