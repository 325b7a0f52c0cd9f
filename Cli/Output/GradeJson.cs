namespace Mca.Cli.Output;

/// <summary>The <c>mca grade --json</c> document: Linux's severity name and message.</summary>
internal sealed record GradeJson(string Severity, string Message);
