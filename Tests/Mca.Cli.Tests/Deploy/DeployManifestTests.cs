using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using YamlDotNet.RepresentationModel;

namespace Mca.Cli.Tests.Deploy;

/// <summary>
/// deploy/: the Kubernetes manifests agree on the shard count and the shard paths (completions, the
/// <c>/N</c> of <c>--shard</c>, the merge's file list, the claim and its mount path), and the Dockerfile
/// publishes the Cli project and runs its assembly. No cluster and no Docker daemon: the files are parsed.
/// </summary>
public sealed class DeployManifestTests
{
    private static readonly string Repo = RepoRoot();

    private static string Read(params string[] parts) => File.ReadAllText(Path.Combine([Repo, .. parts]));

    private static string Campaign => Read("deploy", "k8s", "campaign-job.yaml");

    private static string Merge => Read("deploy", "k8s", "merge-job.yaml");

    private static string Claim => Read("deploy", "k8s", "shards-pvc.yaml");

    private static string Dockerfile => Read("deploy", "Dockerfile");

    /// <summary>The text with its one occurrence of <paramref name="from"/> replaced, so a test cannot pass on an edit that did nothing.</summary>
    private static string Altered(string text, string from, string to)
    {
        int at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, "not in the text: " + from);
        Assert.True(text.IndexOf(from, at + 1, StringComparison.Ordinal) < 0, "more than once in the text: " + from);
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length));
    }

    private static void AssertProblem(IReadOnlyList<string> problems, string contains) =>
        Assert.True(problems.Any(p => p.Contains(contains, StringComparison.Ordinal)),
            $"expected a problem containing \"{contains}\", got:\n" + string.Join('\n', problems));

    [Fact]
    public void Manifests_InRepository_AgreeOnShards()
    {
        var problems = DeployManifestChecker.Check(Campaign, Merge, Claim);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Manifests_InRepository_EightShardsOnMcaShards()
    {
        // The example the README walks through: pin it, so the checker's agreement is not vacuous.
        var job = DeployManifestChecker.Jobs(Campaign).Single();
        Assert.Equal("8", DeployManifestChecker.Scalar(job, "spec", "completions"));
        Assert.Contains("- $(JOB_COMPLETION_INDEX)/8", Campaign, StringComparison.Ordinal);
        Assert.Contains("- /shards/shard-$(JOB_COMPLETION_INDEX).mcashard", Campaign, StringComparison.Ordinal);
        Assert.Contains("- /shards/shard-7.mcashard", Merge, StringComparison.Ordinal);
        Assert.Contains("claimName: mca-shards", Merge, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CompletionsDisagreeWithShardCount_Rejected()
    {
        var problems = DeployManifestChecker.Check(Altered(Campaign, "completions: 8", "completions: 6"), Merge, Claim);
        AssertProblem(problems, "completions is 6 but --shard");
    }

    [Fact]
    public void Check_ShardArgumentDisagreesWithCompletions_Rejected()
    {
        var problems = DeployManifestChecker.Check(Altered(Campaign, "$(JOB_COMPLETION_INDEX)/8", "$(JOB_COMPLETION_INDEX)/16"), Merge, Claim);
        AssertProblem(problems, "completions is 8 but --shard");
    }

    [Fact]
    public void Check_MergeMissesAShard_Rejected()
    {
        var problems = DeployManifestChecker.Check(Campaign, Altered(Merge, "            - /shards/shard-7.mcashard\n", ""), Claim);
        AssertProblem(problems, "merge reads");
    }

    [Fact]
    public void Check_MergeGlobsTheShards_Rejected()
    {
        string merge = Merge;
        for (int i = 1; i < 8; i++)
        {
            merge = Altered(merge, $"            - /shards/shard-{i}.mcashard\n", "");
        }

        var problems = DeployManifestChecker.Check(Campaign, Altered(merge, "/shards/shard-0.mcashard", "/shards/shard-*.mcashard"), Claim);
        AssertProblem(problems, "merge reads");
    }

    [Fact]
    public void Check_MergeWithoutJson_Rejected()
    {
        var problems = DeployManifestChecker.Check(Campaign, Altered(Merge, "- --json\n            - /shards/campaign.json\n            ", ""), Claim);
        AssertProblem(problems, "--json");
    }

    [Fact]
    public void Check_MergeMountsAnotherClaim_Rejected()
    {
        var problems = DeployManifestChecker.Check(Campaign, Altered(Merge, "claimName: mca-shards", "claimName: other"), Claim);
        AssertProblem(problems, "--shard-out");
    }

    [Fact]
    public void Check_MergeMountsTheClaimElsewhere_Rejected()
    {
        var problems = DeployManifestChecker.Check(Campaign, Altered(Merge, "mountPath: /shards", "mountPath: /data"), Claim);
        AssertProblem(problems, "merge reads");
    }

    [Fact]
    public void Check_ShardOutOffTheVolume_Rejected()
    {
        var problems = DeployManifestChecker.Check(Altered(Campaign, "- /shards/shard-$(JOB_COMPLETION_INDEX)", "- /tmp/shard-$(JOB_COMPLETION_INDEX)"), Merge, Claim);
        AssertProblem(problems, "--shard-out");
    }

    [Fact]
    public void Check_IndexNotDeclaredInEnv_Rejected()
    {
        string campaign = Altered(Campaign, "name: JOB_COMPLETION_INDEX", "name: SHARD_INDEX");
        AssertProblem(DeployManifestChecker.Check(campaign, Merge, Claim), "not declared in env");
    }

    [Fact]
    public void Check_NotIndexed_Rejected()
    {
        var problems = DeployManifestChecker.Check(Altered(Campaign, "completionMode: Indexed", "completionMode: NonIndexed"), Merge, Claim);
        AssertProblem(problems, "completionMode");
    }

    [Fact]
    public void Check_RestartPolicyOnFailure_Rejected()
    {
        string campaign = Altered(Campaign, "restartPolicy: Never", "restartPolicy: OnFailure");
        AssertProblem(DeployManifestChecker.Check(campaign, Merge, Claim), "restartPolicy");
    }

    [Fact]
    public void Check_NoBackoffLimitPerIndex_Rejected()
    {
        var problems = DeployManifestChecker.Check(Altered(Campaign, "backoffLimitPerIndex: 2", "backoffLimit: 2"), Merge, Claim);
        AssertProblem(problems, "backoffLimitPerIndex");
    }

    [Fact]
    public void Check_ClaimNotReadWriteMany_Rejected()
    {
        var problems = DeployManifestChecker.Check(Campaign, Merge, Altered(Claim, "- ReadWriteMany", "- ReadWriteOnce"));
        AssertProblem(problems, "ReadWriteMany");
    }

    [Fact]
    public void Check_ShellFormWithShellVariable_Accepted()
    {
        // The other accepted form: the index as a shell variable inside `sh -c` (the Job controller injects it).
        const string Shell = """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: mca-campaign
            spec:
              completionMode: Indexed
              completions: 3
              backoffLimitPerIndex: 1
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: mca
                      image: mca:latest
                      command: ["sh", "-c"]
                      args:
                        - exec dotnet /app/mca.dll campaign --quiet --shard "$JOB_COMPLETION_INDEX/3" --shard-out "/out/shard-${JOB_COMPLETION_INDEX}.mcashard"
                      volumeMounts: [{ name: v, mountPath: /out/ }]
                  volumes: [{ name: v, persistentVolumeClaim: { claimName: mca-shards } }]
            """;
        string merge = Merge;
        for (int i = 3; i < 8; i++)
        {
            merge = Altered(merge, $"            - /shards/shard-{i}.mcashard\n", "");
        }

        var problems = DeployManifestChecker.Check(Shell, merge, Claim);
        Assert.True(problems.Count == 0, string.Join('\n', problems));

        // The same with $(...) in the shell and no env entry is command substitution, not the index.
        var substitution = DeployManifestChecker.Check(Shell.Replace("$JOB_COMPLETION_INDEX/3", "$(JOB_COMPLETION_INDEX)/3", StringComparison.Ordinal), merge, Claim);
        AssertProblem(substitution, "not declared in env");
    }

    [Fact]
    public void Dockerfile_InRepository_PublishesCliAndRunsItsAssembly()
    {
        var problems = DeployManifestChecker.CheckDockerfile(Dockerfile, CliAssembly());
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.Equal("mca.dll", CliAssembly());
    }

    [Fact]
    public void CheckDockerfile_EntrypointRunsAnotherDll_Rejected()
    {
        var problems = DeployManifestChecker.CheckDockerfile(Altered(Dockerfile, "\"/app/mca.dll\"", "\"/app/Mca.Cli.dll\""), "mca.dll");
        AssertProblem(problems, "ENTRYPOINT");
    }

    [Fact]
    public void CheckDockerfile_PublishesAnotherProject_Rejected()
    {
        var problems = DeployManifestChecker.CheckDockerfile(Altered(Dockerfile, "publish Cli/Mca.Cli.csproj", "publish Bench/Mca.Bench.csproj"), "mca.dll");
        AssertProblem(problems, "Cli/Mca.Cli.csproj");
    }

    [Fact]
    public void CheckDockerfile_RunsAsRoot_Rejected()
    {
        var problems = DeployManifestChecker.CheckDockerfile(Altered(Dockerfile, "USER $APP_UID", "USER root"), "mca.dll");
        AssertProblem(problems, "USER");
    }

    /// <summary>The Cli project's assembly file name (its AssemblyName, <c>mca</c>, plus .dll).</summary>
    private static string CliAssembly()
    {
        var project = XDocument.Load(Path.Combine(Repo, "Cli", "Mca.Cli.csproj"));
        string? name = project.Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault();
        return (name ?? "Mca.Cli") + ".dll";
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

        throw new InvalidOperationException("no Mca.Ecs.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// The consistency rules of deploy/: each method returns the problems it finds, one line each (none when
/// the files agree), so a test can show a rule both passing and failing.
/// </summary>
public static class DeployManifestChecker
{
    private const string IndexVariable = "JOB_COMPLETION_INDEX";
    private const string IndexKey = "batch.kubernetes.io/job-completion-index";

    /// <summary>
    /// The campaign Job (Indexed, per-index retries, restartPolicy Never, <c>--shard INDEX/N</c> with N its
    /// completions, <c>--shard-out</c> on the claim), the merge Job (exactly shard-0..shard-(N-1) on that
    /// claim's mount, and <c>--json</c>) and the claim (ReadWriteMany) against each other.
    /// </summary>
    public static IReadOnlyList<string> Check(string campaignYaml, string mergeYaml, string claimYaml)
    {
        var problems = new List<string>();
        var campaign = OneJob(campaignYaml, "campaign", problems);
        var merge = OneJob(mergeYaml, "merge", problems);
        if (campaign is null || merge is null)
        {
            return problems;
        }

        if (Scalar(campaign, "spec", "completionMode") != "Indexed")
        {
            problems.Add("campaign: spec.completionMode is not Indexed");
        }

        if (!int.TryParse(Scalar(campaign, "spec", "completions"), NumberStyles.None, CultureInfo.InvariantCulture, out int shards) || shards < 1)
        {
            problems.Add("campaign: spec.completions is not a positive integer");
            return problems;
        }

        if (!int.TryParse(Scalar(campaign, "spec", "backoffLimitPerIndex"), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            problems.Add("campaign: spec.backoffLimitPerIndex is missing (a failed shard would be retried by no index of its own)");
        }

        if (Scalar(campaign, "spec", "template", "spec", "restartPolicy") != "Never")
        {
            problems.Add("campaign: spec.template.spec.restartPolicy is not Never");
        }

        var campaignContainer = OneContainer(campaign, "campaign", problems);
        var mergeContainer = OneContainer(merge, "merge", problems);
        if (campaignContainer is null || mergeContainer is null)
        {
            return problems;
        }

        var (words, shell) = CommandLine(campaignContainer);
        if (!words.Contains("campaign"))
        {
            problems.Add("campaign: the command line does not run `mca campaign`");
        }

        bool declared = IndexDeclared(campaignContainer);
        string? shard = Option(words, "--shard");
        int slash = shard?.LastIndexOf('/') ?? -1;
        if (shard is null || slash <= 0)
        {
            problems.Add("campaign: no --shard INDEX/N on the command line");
        }
        else
        {
            string index = shard[..slash];
            string count = shard[(slash + 1)..];
            if (count != shards.ToString(CultureInfo.InvariantCulture))
            {
                problems.Add($"campaign: completions is {shards} but --shard says {shard}");
            }

            string? whyNot = IndexProblem(index, shell, declared);
            if (whyNot is not null)
            {
                problems.Add($"campaign: --shard {shard}: {whyNot}");
            }
        }

        var mergeClaims = ClaimMounts(merge, mergeContainer);
        var campaignClaims = ClaimMounts(campaign, campaignContainer);
        string? shardOut = Option(words, "--shard-out");
        var written = shardOut is null ? null : campaignClaims.FirstOrDefault(m => shardOut.StartsWith(m.Path + "/", StringComparison.Ordinal));
        string? claim = null;
        if (shardOut is null)
        {
            problems.Add("campaign: no --shard-out FILE on the command line");
        }
        else if (written is null)
        {
            problems.Add($"campaign: --shard-out {shardOut} is not under the mount path of a persistentVolumeClaim volume");
        }
        else if (!mergeClaims.Any(m => m.Claim == written.Claim))
        {
            problems.Add($"campaign: --shard-out {shardOut} is on claim {written.Claim}, which the merge does not mount");
        }
        else
        {
            claim = written.Claim;
            string prefix = written.Path + "/shard-";
            string file = shardOut[(written.Path.Length + 1)..];
            if (!file.StartsWith("shard-", StringComparison.Ordinal) || !file.EndsWith(".mcashard", StringComparison.Ordinal)
                || IndexProblem(file["shard-".Length..^".mcashard".Length], shell, declared) is not null)
            {
                problems.Add($"campaign: --shard-out {shardOut} is not {prefix}INDEX.mcashard with INDEX the completion index");
            }
        }

        var (mergeWords, _) = CommandLine(mergeContainer);
        if (!mergeWords.Contains("merge"))
        {
            problems.Add("merge: the command line does not run `mca merge`");
        }

        if (claim is not null)
        {
            string mount = mergeClaims.First(m => m.Claim == claim).Path;
            var expected = Enumerable.Range(0, shards).Select(i => $"{mount}/shard-{i}.mcashard").ToList();
            var read = mergeWords.Where(w => w.EndsWith(".mcashard", StringComparison.Ordinal)).ToList();
            if (!read.SequenceEqual(expected))
            {
                problems.Add($"merge reads [{string.Join(' ', read)}], not the {shards} shards the campaign writes, [{string.Join(' ', expected)}]");
            }

            string? json = Option(mergeWords, "--json");
            if (json is null || !json.StartsWith(mount + "/", StringComparison.Ordinal))
            {
                problems.Add($"merge: no --json FILE under {mount} (the results would not be on the claim)");
            }

            CheckClaim(claimYaml, claim, problems);
        }

        return problems;
    }

    /// <summary>
    /// The Dockerfile: a build stage runs <c>dotnet publish Cli/Mca.Cli.csproj</c>, and the final stage copies
    /// its output, runs as a user other than root and has <c>ENTRYPOINT ["dotnet", ".../<paramref name="assembly"/>"]</c>
    /// where the copied output is.
    /// </summary>
    public static IReadOnlyList<string> CheckDockerfile(string text, string assembly)
    {
        var problems = new List<string>();
        var stages = Stages(text);
        if (stages.Count < 2)
        {
            problems.Add($"Dockerfile: {stages.Count} stage(s), not a build stage and a runtime stage");
            return problems;
        }

        // The publishing stage and the directory it publishes to.
        string? published = null;
        string? builder = null;
        foreach (var stage in stages.Take(stages.Count - 1))
        {
            foreach (var (_, args) in stage.Instructions.Where(i => i.Keyword == "RUN"))
            {
                var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int at = Array.IndexOf(words, "publish");
                if (at > 0 && words[at - 1] == "dotnet" && words.Skip(at + 1).TakeWhile(w => w != "&&").Contains("Cli/Mca.Cli.csproj"))
                {
                    builder = stage.Name;
                    published = Option(words, "-o") ?? Option(words, "--output");
                }
            }
        }

        if (builder is null || published is null)
        {
            problems.Add("Dockerfile: no build stage runs `dotnet publish Cli/Mca.Cli.csproj -o DIR`");
        }

        var final = stages[^1];
        if (final.Image.Contains("/dotnet/sdk", StringComparison.Ordinal))
        {
            problems.Add($"Dockerfile: the final stage is the SDK image ({final.Image}), not a runtime image");
        }

        // One pass over the final stage, following WORKDIR: where the published output is copied to, the
        // last USER and the last ENTRYPOINT (with the WORKDIR it runs in).
        string workdir = "/";
        string? copied = null;
        string? user = null;
        string? entrypoint = null;
        string entryWorkdir = "/";
        foreach (var (keyword, args) in final.Instructions)
        {
            var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (keyword)
            {
                case "WORKDIR":
                    workdir = Absolute(args, workdir);
                    break;
                case "COPY" when builder is not null && published is not null && words.Length == 3
                    && words[0] == "--from=" + builder && Trim(words[1]) == Trim(published):
                    copied = Trim(Absolute(words[2], workdir));
                    break;
                case "USER":
                    user = args;
                    break;
                case "ENTRYPOINT":
                    entrypoint = args;
                    entryWorkdir = workdir;
                    break;
            }
        }

        if (builder is not null && published is not null && copied is null)
        {
            problems.Add($"Dockerfile: the final stage does not COPY --from={builder} {published} DIR");
        }

        if (user is null || user.Split(':')[0] is "root" or "0")
        {
            problems.Add($"Dockerfile: the final stage runs as root (USER {user ?? "not set"})");
        }

        string[]? argv = null;
        if (entrypoint is not null && entrypoint.StartsWith('['))
        {
            try
            {
                argv = JsonSerializer.Deserialize<string[]>(entrypoint);
            }
            catch (JsonException)
            {
                argv = null;
            }
        }

        if (argv is not { Length: 2 } || argv[0] != "dotnet" || copied is null
            || Absolute(argv[1], entryWorkdir) != Absolute(assembly, copied))
        {
            problems.Add($"Dockerfile: the final stage's ENTRYPOINT ({entrypoint ?? "none"}) is not [\"dotnet\", \"{Absolute(assembly, copied ?? "DIR")}\"] (exec form)");
        }

        return problems;
    }

    /// <summary>The documents of a YAML text whose kind is Job.</summary>
    public static IEnumerable<YamlNode> Jobs(string yaml) => Documents(yaml).Where(d => Scalar(d, "kind") == "Job");

    /// <summary>The scalar at a path of mapping keys, or null.</summary>
    public static string? Scalar(YamlNode? node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    private static List<YamlNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => d.RootNode)];
    }

    private static YamlNode? At(YamlNode? node, params string[] path)
    {
        foreach (string key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    private static IEnumerable<YamlNode> Items(YamlNode? node, params string[] path) =>
        At(node, path) is YamlSequenceNode seq ? seq.Children : [];

    private static YamlNode? OneJob(string yaml, string what, List<string> problems)
    {
        List<YamlNode> jobs;
        try
        {
            jobs = [.. Jobs(yaml)];
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            problems.Add($"{what}: not YAML: {e.Message}");
            return null;
        }

        if (jobs.Count != 1)
        {
            problems.Add($"{what}: {jobs.Count} Jobs in the file, not one");
            return null;
        }

        return jobs[0];
    }

    private static YamlNode? OneContainer(YamlNode job, string what, List<string> problems)
    {
        var containers = Items(job, "spec", "template", "spec", "containers").ToList();
        if (containers.Count != 1)
        {
            problems.Add($"{what}: {containers.Count} containers, not one");
            return null;
        }

        return containers[0];
    }

    /// <summary>
    /// The container's command and args as words; a <c>sh -c SCRIPT</c> is split into the script's words
    /// (on spaces, quotes dropped: enough for the flags looked for), and <c>Shell</c> is then true.
    /// </summary>
    private static (List<string> Words, bool Shell) CommandLine(YamlNode container)
    {
        var argv = Items(container, "command").Concat(Items(container, "args")).Select(n => (n as YamlScalarNode)?.Value ?? "").ToList();
        if (argv.Count >= 3 && argv[0] is "sh" or "/bin/sh" or "bash" or "/bin/bash" && argv[1] == "-c")
        {
            string script = argv[2].Replace("\"", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);
            return ([.. script.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)], true);
        }

        return (argv, false);
    }

    /// <summary>The value of <c>--name VALUE</c> or <c>--name=VALUE</c>.</summary>
    private static string? Option(IList<string> words, string name)
    {
        for (int i = 0; i < words.Count; i++)
        {
            if (words[i] == name && i + 1 < words.Count)
            {
                return words[i + 1];
            }

            if (words[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return words[i][(name.Length + 1)..];
            }
        }

        return null;
    }

    /// <summary>Whether the container's env declares JOB_COMPLETION_INDEX from the pod's completion-index annotation (or label).</summary>
    private static bool IndexDeclared(YamlNode container) =>
        Items(container, "env").Any(e => Scalar(e, "name") == IndexVariable
            && Scalar(e, "valueFrom", "fieldRef", "fieldPath") is { } path
            && (path == $"metadata.annotations['{IndexKey}']" || path == $"metadata.labels['{IndexKey}']"));

    /// <summary>Why the index expression is not the completion index, or null when it is.</summary>
    private static string? IndexProblem(string index, bool shell, bool declared)
    {
        if (index == $"$({IndexVariable})")
        {
            // Kubernetes expands $(VAR) before any shell sees it, but only for a VAR in the container's env.
            return declared ? null : $"$({IndexVariable}) is not declared in env from metadata.annotations['{IndexKey}'], so Kubernetes leaves it unexpanded";
        }

        if (index is "$" + IndexVariable or "${" + IndexVariable + "}")
        {
            return shell ? null : $"{index} is expanded only by a shell, and the command is not sh -c";
        }

        return $"the index {index} is not ${IndexVariable} (sh -c) or $({IndexVariable}) (declared in env)";
    }

    private sealed record ClaimMount(string Claim, string Path);

    /// <summary>The container's mounts of persistentVolumeClaim volumes, as (claim, mount path without a trailing slash).</summary>
    private static List<ClaimMount> ClaimMounts(YamlNode job, YamlNode container)
    {
        var claims = Items(job, "spec", "template", "spec", "volumes")
            .Select(v => (Name: Scalar(v, "name"), Claim: Scalar(v, "persistentVolumeClaim", "claimName")))
            .Where(v => v.Name is not null && v.Claim is not null)
            .ToDictionary(v => v.Name!, v => v.Claim!, StringComparer.Ordinal);
        return [.. Items(container, "volumeMounts")
            .Select(m => (Name: Scalar(m, "name"), Path: Scalar(m, "mountPath")))
            .Where(m => m.Name is not null && m.Path is not null && claims.ContainsKey(m.Name))
            .Select(m => new ClaimMount(claims[m.Name!], Trim(m.Path!)))];
    }

    private static void CheckClaim(string yaml, string claim, List<string> problems)
    {
        var pvc = Documents(yaml).FirstOrDefault(d => Scalar(d, "kind") == "PersistentVolumeClaim" && Scalar(d, "metadata", "name") == claim);
        if (pvc is null)
        {
            problems.Add($"claim: no PersistentVolumeClaim {claim}");
        }
        else if (!Items(pvc, "spec", "accessModes").Any(m => (m as YamlScalarNode)?.Value == "ReadWriteMany"))
        {
            problems.Add($"claim: {claim} is not ReadWriteMany (the shards' pods write to it at once, from any node)");
        }
    }

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    private sealed record Stage(string Image, string? Name, List<(string Keyword, string Args)> Instructions);

    /// <summary>The Dockerfile's stages: instructions with continuation lines joined and comments dropped.</summary>
    private static List<Stage> Stages(string text)
    {
        var lines = new List<string>();
        string pending = "";
        foreach (string raw in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            lines.Add(pending + line);
            pending = "";
        }

        var stages = new List<Stage>();
        foreach (string line in lines.Where(l => l.Length > 0))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            string args = space < 0 ? "" : line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                string? name = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null;
                stages.Add(new Stage(words.FirstOrDefault() ?? "", name ?? stages.Count.ToString(CultureInfo.InvariantCulture), []));
            }
            else if (stages.Count > 0)
            {
                stages[^1].Instructions.Add((keyword, args));
            }
        }

        return stages;
    }

    /// <summary>A path as an absolute one, relative ones taken from <paramref name="dir"/>.</summary>
    private static string Absolute(string path, string dir) =>
        path.StartsWith('/') ? path : (Trim(dir) is var d && d == "/" ? "/" : d + "/") + path;
}
