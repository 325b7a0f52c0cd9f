namespace Mca.Systems.Linux;

/// <summary>
/// The result of grading one bank: the severity after the post-match raise, the matched rule's
/// message (kept even when the raise changed the severity) and the rule's number in its era's
/// table (severities[] order of Linux severity.c for <see cref="LinuxTableEra.Modern"/>).
/// </summary>
public readonly record struct LinuxGrade(LinuxSeverity Severity, string Message, int RuleNumber);
