using System.Text.Json;

namespace Mca.Cli.Tests;

/// <summary>The commands end to end through the real parser: outputs, JSON contracts, exit codes.</summary>
public class CliTests
{
    private static readonly string Examples = FindExamples();

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string FindExamples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "examples")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("examples/ not found above the test binaries"), "examples");
    }

    private static void AssertOneLineError((int Code, string Out, string Err) r, string contains)
    {
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(contains, line, StringComparison.Ordinal);
    }

    [Fact]
    public void XenMceInj_Json_HasTheContractKeys()
    {
        var r = Mca("xen-mceinj", "-t", "0", "--table", "2010", "-d", "1", "--policy", "xen", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        foreach (string key in new[] { "console", "dom0_mcelog", "vmce", "guests", "reset", "panic", "hung" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        var v0 = root.GetProperty("vmce")[0];
        Assert.Equal(1, v0.GetProperty("domain").GetInt32());
        Assert.Equal("0xbd000000000000cf", v0.GetProperty("status").GetString());
        Assert.Equal("0x180020", v0.GetProperty("addr").GetString());
        Assert.Equal("0x5", v0.GetProperty("mcg_status").GetString());
        var guest = root.GetProperty("guests").EnumerateArray().Single(g => g.GetProperty("domain").GetInt32() == 1);
        Assert.Equal("recovered", guest.GetProperty("outcome").GetString());
        Assert.False(root.GetProperty("reset").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("panic").ValueKind);
        Assert.False(root.GetProperty("hung").GetBoolean());
    }

    [Fact]
    public void XenMceInj_Text_ShowsSections()
    {
        var r = Mca("xen-mceinj", "-t", "1", "--table", "2010", "--policy", "xen");
        Assert.Equal(0, r.Code);
        Assert.Contains("== Xen console", r.Out, StringComparison.Ordinal);
        Assert.Contains("Generic CACHE Level-2 Eviction Error", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("== machine hung", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void XenMceInj_Rfc2009_TargetAloneHangs()
    {
        // The default policy's injector raises the #MC on the target alone; the 2009 handler's round 1 waits for the others forever.
        var text = Mca("xen-mceinj", "-t", "1");
        Assert.Equal(0, text.Code);
        Assert.EndsWith("  Simulating #MC on cpu 0\n== dom0 mcelog\n  (none)\n", text.Out[..(text.Out.IndexOf("== vMCE", StringComparison.Ordinal))], StringComparison.Ordinal);
        Assert.Contains("== machine reset: no\n== machine hung: the #MC handler waits for CPUs that never enter it; nothing runs after it\n", text.Out, StringComparison.Ordinal);

        var json = Mca("xen-mceinj", "-t", "1", "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.True(doc.RootElement.GetProperty("hung").GetBoolean());
        Assert.False(doc.RootElement.GetProperty("reset").GetBoolean());
        Assert.Equal(0, doc.RootElement.GetProperty("vmce").GetArrayLength());
    }

    [Theory]
    [InlineData("", "0x41d <-- 0xbd2000008000017a", "0xbd2000000000017a")]
    [InlineData("current", "0x41d <-- 0xbd2000008000017a", "0xbd2000000000017a")]
    [InlineData("2010", "0x421 <-- 0xbd000000004000cf", "0xbd000000000000cf")]
    public void XenMceInj_Table_DefaultIsCurrent(string table, string inject, string guestStatus)
    {
        // Current xen-mceinj.c type 0 is bank 7 0xBD2000008000017A; the 2010 table's (b6982669e8) is bank 8 0xBD000000004000CF.
        string[] args = ["xen-mceinj", "-t", "0", "-d", "1", "--policy", "xen", "--json"];
        var r = Mca(table.Length == 0 ? args : [.. args, "--table", table]);
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Contains(doc.RootElement.GetProperty("console").EnumerateArray(), l => l.GetString()!.EndsWith(inject, StringComparison.Ordinal));
        Assert.Equal(guestStatus, doc.RootElement.GetProperty("vmce")[0].GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(new[] { "xen-mceinj", "-c", "99" }, "cpu 99 is not online")]
    [InlineData(new[] { "xen-mceinj", "-t", "7" }, "type 7 is not in the error table")]
    [InlineData(new[] { "xen-mceinj", "--policy", "linux" }, "--policy: expected one of rfc2009, rfc2009-impacted, xen, found 'linux'")]
    [InlineData(new[] { "xen-mceinj", "-p", "0xZZ" }, "--page: expected a hexadecimal")]
    [InlineData(new[] { "xen-mceinj", "-t", "2", "-l" }, "cannot be sent as LMCE")]
    [InlineData(new[] { "xen-mceinj", "-t", "x" }, "--type: expected a whole number, found 'x'")]
    [InlineData(new[] { "xen-mceinj", "-t", "3", "--table", "2010" }, "xen-mceinj: type 3 is not in the error table: expected 0..2 (the 2010 table)")]
    [InlineData(new[] { "grade" }, "--status")]
    [InlineData(new[] { "grade", "--status", "0xBD", "--ser", "--no-ser" }, "at most one")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    public void BadOptions_OneLineExit2(string[] args, string contains) => AssertOneLineError(Mca(args), contains);

    [Fact]
    public void Run_SyntaxError_FileLineColumn()
    {
        string file = Path.Combine(Examples, "bad.mce");
        AssertOneLineError(Mca("run", file), file + ":3:20: expected");
    }

    [Fact]
    public void Run_MissingFile_Exit2() => AssertOneLineError(Mca("run", "no-such-file.mce"), "no-such-file.mce: expected a scenario file, found no such file");

    [Fact]
    public void Run_CpuOutOfRange_NamesTheLine()
    {
        string file = Path.Combine(Path.GetTempPath(), "mca-cpu-range.mce");
        File.WriteAllText(file, "# out of range\nCPU 40 BANK 8\nSTATUS CORRECTED\n");
        try
        {
            AssertOneLineError(Mca("run", file), file + ":2:1: expected a CPU in 0..15, found CPU 40");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Run_SraoDom0_XenPolicy_RecoveredWithVmce()
    {
        var r = Mca("run", Path.Combine(Examples, "srao-dom0.mce"), "--policy", "xen", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(4, doc.RootElement.GetProperty("vmce").GetArrayLength());
        Assert.Contains("MEMORY CONTROLLER MS_CHANNEL0_ERR", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Fatal_ResetsAndLogsAfterReboot()
    {
        var r = Mca("run", Path.Combine(Examples, "fatal.mce"), "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.True(doc.RootElement.GetProperty("reset").GetBoolean());
        Assert.Equal("Fatal machine check: pcc = 1, cpu unable to continue", doc.RootElement.GetProperty("panic").GetString());
        Assert.True(doc.RootElement.GetProperty("dom0_mcelog").GetArrayLength() > 0);
    }

    [Fact]
    public void Run_LinuxHandler_FakePanicReported()
    {
        var r = Mca("run", Path.Combine(Examples, "fatal.mce"), "--handler", "linux", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("Fatal machine check", doc.RootElement.GetProperty("panic").GetString());
        Assert.Contains(doc.RootElement.GetProperty("console").EnumerateArray(), l => l.GetString()!.Contains("Processor context corrupt", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_NoSer_FatalWithoutSerIsUncorrected()
    {
        var r = Mca("run", Path.Combine(Examples, "srao-dom0.mce"), "--no-ser", "--policy", "xen", "--json");
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        // Without SER_P every UC error is fatal (Xen mce_intel.c intel_check_mce_type).
        Assert.True(doc.RootElement.GetProperty("reset").GetBoolean());
    }

    [Fact]
    public void Decode_MemoryScrub_McelogWording()
    {
        var r = Mca("decode", "0xBD000000004000CF", "--mcg", "0x5", "--addr", "0x180020", "--misc", "0x86");
        Assert.Equal(0, r.Code);
        Assert.Contains("MEMORY CONTROLLER MS_CHANNELunspecified_ERR", r.Out, StringComparison.Ordinal);
        Assert.Contains("SRAO", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_PccWithS_CurrentWordingByDefault()
    {
        // mcelog p4.c decode_mci 7aa8179: "if (PCC) ... else if (S|AR)".
        var r = Mca("decode", "0xBF2000008000017A", "--mcg", "0x5", "--addr", "0x180020", "--misc", "0x86");
        Assert.Equal(0, r.Code);
        Assert.Contains("MCi_ADDR register valid\nProcessor context corrupt\nMCA: Generic CACHE Level-2 Eviction Error\n", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("SRAO", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ClassicStatus_PrintsSraoAfterPcc()
    {
        var r = Mca("decode", "0xBF2000008000017A", "--mcg", "0x5", "--addr", "0x180020", "--misc", "0x86", "--classic-status");
        Assert.Equal(0, r.Code);
        Assert.Contains("Processor context corrupt\nSRAO\nMCA: Generic CACHE Level-2 Eviction Error\n", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ClassicStatusWithModernLevels_EachMovesItsOwnLines()
    {
        // mcelog from 2021 to April 2025: LL+1 levels and both status lines.
        var both = Mca("decode", "0xBF2000008000017A", "--classic-status", "--modern-levels");
        Assert.Equal(0, both.Code);
        Assert.Contains("Processor context corrupt\nSRAO\nMCA: Generic CACHE Level-3 Eviction Error\n", both.Out, StringComparison.Ordinal);
        var levels = Mca("decode", "0xBF2000008000017A", "--modern-levels");
        Assert.Contains("Processor context corrupt\nMCA: Generic CACHE Level-3 Eviction Error\n", levels.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NoPcc_ClassicStatusChangesNothing()
    {
        var current = Mca("decode", "0xBD000000004000CF", "--mcg", "0x5", "--addr", "0x180020", "--misc", "0x86");
        var classic = Mca("decode", "0xBD000000004000CF", "--mcg", "0x5", "--addr", "0x180020", "--misc", "0x86", "--classic-status");
        Assert.Equal(current.Out, classic.Out);
    }

    [Theory]
    [InlineData("xen")]
    [InlineData("linux")]
    public void Run_PccWithS_McelogUsesCurrentWording(string handler)
    {
        // The default of every mcelog text (dom0's under Xen, the bare-metal one under Linux) is current mcelog.
        string file = Path.Combine(Path.GetTempPath(), "mca-pcc-s-" + Path.GetRandomFileName() + ".mce");
        File.WriteAllText(file, "CPU 3 BANK 4\nMCGSTATUS MCIP\nSTATUS FATAL S 0x17A\n");
        try
        {
            var r = Mca("run", file, "--handler", handler, "--json");
            Assert.Equal(0, r.Code);
            using var doc = JsonDocument.Parse(r.Out);
            string[] mcelog = [.. doc.RootElement.GetProperty("dom0_mcelog").EnumerateArray().Select(l => l.GetString()!)];
            Assert.Contains("Processor context corrupt", mcelog);
            Assert.DoesNotContain("SRAO", mcelog);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Run_VmceFillFails_EachFailureLinePrintedOnce()
    {
        // Two SRAO errors in domU 1's memory in one #MC: the first vMCE fills both vCPUs, the second finds
        // MCIP still set (Xen vmce.c fill_vmsr_data, mcaction.c mc_memerr_dhandler) and crashes the domain.
        string file = Path.Combine(Path.GetTempPath(), "mca-vmce-busy-" + Path.GetRandomFileName() + ".mce");
        File.WriteAllText(file,
            "CPU 0 BANK 8 HOLD\nMCGSTATUS RIPV MCIP\nSTATUS UNCORRECTED SRAO 0xC0\nADDR 0x104000000\nMISC 0x86\n" +
            "CPU 1 BANK 7\nMCGSTATUS RIPV MCIP\nSTATUS UNCORRECTED SRAO 0x17A\nADDR 0x104002000\nMISC 0x86\n");
        try
        {
            var r = Mca("run", file, "--policy", "xen");
            Assert.Equal(0, r.Code);
            string[] lines = r.Out.Split('\n');
            int Count(string line) => lines.Count(l => l == "  " + line);
            Assert.Equal(1, Count("Fill vMCE# data for DOM1 failed"));
            Assert.Equal(1, Count("MCE: d1v0: guest has not handled previous vMCE yet!"));
            Assert.Equal(1, Count("MCE: d1v1: guest has not handled previous vMCE yet!"));
            Assert.Equal(1, Count("domain_crash called from mcaction: d1 (VmceBusy)"));
            Assert.Equal(1, Count("dom1: crashed: domain crashed by Xen"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Decode_Json_HasLines()
    {
        var r = Mca("decode", "0xBC20000080000136", "--json");
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("Data CACHE Level-2 Data-Read Error", doc.RootElement.GetProperty("mca").GetString());
        Assert.Equal("UCNA", doc.RootElement.GetProperty("xen_type").GetString());
    }

    [Theory]
    [InlineData(new[] { "--status", "0xBD000000004000CF" }, "AO", "Action optional: memory scrubbing error")]
    [InlineData(new[] { "--status", "0xBD80000000000134", "--mcg", "0x6" }, "AR", "Action required: data load error in a user process")]
    [InlineData(new[] { "--status", "0xBD80000000000134", "--mcg", "0x7", "--context", "kernel" }, "PANIC", "Data load in unrecoverable area of kernel")]
    [InlineData(new[] { "--status", "0xBD80000000000134", "--mcg", "0x6", "--context", "kernel" }, "PANIC", "In kernel and no restart IP")]
    [InlineData(new[] { "--status", "0xBC20000080000136", "--poll" }, "UCNA", "Uncorrected no action required")]
    [InlineData(new[] { "--status", "0x9400000000000151", "--no-ser" }, "KEEP", "Corrected error")]
    [InlineData(new[] { "--status", "0xB200000000000400" }, "PANIC", "Processor context corrupt")]
    // Linux asm/mce.h MCACOD 0xefff: bit 12 (F) is skipped, so 0x1134 is still a data load.
    [InlineData(new[] { "--status", "0xBD80000000001134", "--mcg", "0x6" }, "AR", "Action required: data load error in a user process")]
    public void Grade_Json_SeverityAndMessage(string[] args, string severity, string message)
    {
        var r = Mca([.. new[] { "grade" }, .. args, "--json"]);
        Assert.Equal(0, r.Code);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(severity, doc.RootElement.GetProperty("severity").GetString());
        Assert.Equal(message, doc.RootElement.GetProperty("message").GetString());
    }
}
