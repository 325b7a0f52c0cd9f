namespace Mca.Cli.Output;

/// <summary>The <c>mca decode --json</c> document: the status (hex), its MCA code and Xen type, and mcelog's lines.</summary>
internal sealed record DecodeJson(string Status, string Mca, string XenType, IReadOnlyList<string> Lines);
