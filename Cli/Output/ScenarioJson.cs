namespace Mca.Cli.Output;

/// <summary>The <c>mca run --json</c> and <c>mca xen-mceinj --json</c> document (README "Outputs"); keys in this order.</summary>
internal sealed record ScenarioJson(
    IReadOnlyList<string> Console,
    IReadOnlyList<string> Dom0Mcelog,
    IReadOnlyList<ScenarioJson.VmceJson> Vmce,
    IReadOnlyList<ScenarioJson.GuestJson> Guests,
    bool Reset,
    string? Panic,
    bool Hung)
{
    /// <summary>A vMCE as the guest saw it; registers as hex strings.</summary>
    internal sealed record VmceJson(int Domain, int Vcpu, string McgStatus, int Bank, string Status, string Addr, string Misc);

    internal sealed record GuestJson(int Domain, string Outcome, string Message);
}
