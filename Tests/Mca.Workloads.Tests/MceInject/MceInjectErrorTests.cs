using Mca.Workloads.MceInject;

namespace Mca.Workloads.Tests.MceInject;

public class MceInjectErrorTests
{
    [Theory]
    [InlineData("CPU 0\nSTATUS UC\nBANK X\n", "bad.mce:3:6: expected a number after BANK, found 'X'")]
    [InlineData("CPU 0\nSTATUS UC\n  BANK X\n", "bad.mce:3:8: expected a number after BANK, found 'X'")]
    [InlineData("STATUS UC", "bad.mce:1:1: expected CPU or MCE to start a record, found 'STATUS'")]
    [InlineData("CPU 0 BANK 256", "bad.mce:1:12: expected a bank number 0..255, found '256'")]
    [InlineData("CPU 0 1000", "bad.mce:1:7: expected a bank number 0..255, found '1000'")]
    [InlineData("CPU -1 STATUS UC", "bad.mce:1:5: expected a CPU number after CPU, found '-'")]
    [InlineData("CPU 2147483648 STATUS UC", "bad.mce:1:5: expected a CPU number 0..2147483647, found '2147483648'")]
    [InlineData("CPU 0 TSC 0x10000000000000000", "bad.mce:1:11: expected a number that fits in 64 bits, found '0x10000000000000000'")]
    [InlineData("CPU 0 TSC 18446744073709551616", "bad.mce:1:11: expected a number that fits in 64 bits, found '18446744073709551616'")]
    [InlineData("CPU 0 TSC 0x", "bad.mce:1:11: expected a hexadecimal number, found '0x'")]
    [InlineData("CPU 0 TSC 0x12g", "bad.mce:1:11: expected a hexadecimal number, found '0x12g'")]
    [InlineData("CPU 0 TSC 09", "bad.mce:1:11: expected an octal number, found '09'")]
    [InlineData("CPU 0 TSC 12abc", "bad.mce:1:11: expected a number, found '12abc'")]
    [InlineData("CPU 0", "bad.mce:1:6: expected a field or flag after CPU 0, found end of input")]
    [InlineData("MCE\nCPU 1 STATUS UC", "bad.mce:2:1: expected a field or flag after MCE, found 'CPU'")]
    [InlineData("CPU 0 STATUS UC $", "bad.mce:1:17: expected a field, a flag, CPU or MCE, found '$'")]
    [InlineData("CPU 0 STATUS UC foo", "bad.mce:1:17: expected a field, a flag, CPU or MCE, found 'foo'")]
    [InlineData("CPU 0 STATUS UC 0x1 RIPV", "bad.mce:1:21: expected a STATUS bit (RIPV belongs in MCGSTATUS), found 'RIPV'")]
    [InlineData("CPU 0 MCGSTATUS MCIP UC", "bad.mce:1:22: expected an MCGSTATUS bit (UC belongs in STATUS), found 'UC'")]
    [InlineData("CPU 0 RIP 0x10:<0x1234>", "bad.mce:1:24: expected '{' and a symbol after '>', found end of input")]
    [InlineData("CPU 0 RIP 0x10:<0x1234>{f", "bad.mce:1:26: expected '}' after the symbol name, found end of input")]
    [InlineData("CPU 0 RIP 0x10000:0x1", "bad.mce:1:11: expected a code segment 0..0xffff before ':', found '0x10000'")]
    [InlineData("CPU 0 RIP :", "bad.mce:1:11: expected a number after RIP, found ':'")]
    [InlineData("CPU 0 PROCESSOR 0 0x50654", "bad.mce:1:19: expected ':' after the PROCESSOR vendor, found '0x50654'")]
    [InlineData("CPU 0 PROCESSOR 256:1", "bad.mce:1:17: expected a vendor number 0..255, found '256'")]
    [InlineData("CPU 1: MACHINE CHECK 5", "bad.mce:1:22: expected EXCEPTION after MACHINE CHECK, found '5'")]
    [InlineData("CPU 1: MACHINE CHECK EXCEPTION: 5 BANK 8 0xb", "bad.mce:1:42: expected ':' after the bank number, found '0xb'")]
    [InlineData("CPU 0 SOCKETID 0x80000000", "bad.mce:1:16: expected a socket id 0..2147483647, found '0x80000000'")]
    [InlineData("CPU 0 STATUS UC\n# fine\n\tADDR ~", "bad.mce:3:7: expected a number after ADDR, found '~'")]
    [InlineData("CPU 0 ADDR \u00e9", "bad.mce:1:12: expected a number after ADDR, found character U+00E9")]
    public void Parse_Malformed_ReportsPositionAndExpectation(string text, string message)
    {
        ScenarioException error = Assert.Throws<ScenarioException>(() => MceInjectParser.Parse(text, "bad.mce"));
        Assert.Equal(message, error.Message);
        Assert.Equal("bad.mce", error.FileName);
        string[] parts = message.Split(':');
        Assert.Equal(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), error.Line);
        Assert.Equal(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), error.Column);
    }

    [Fact]
    public void Parse_LongToken_IsQuotedShortened()
    {
        string name = new('a', 60);
        ScenarioException error = Assert.Throws<ScenarioException>(() => MceInjectParser.Parse("CPU 0 STATUS UC " + name, "f"));
        Assert.Equal("f:1:17: expected a field, a flag, CPU or MCE, found '" + new string('a', 40) + "...'", error.Message);
    }

    [Fact]
    public void Parse_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => MceInjectParser.Parse(null!, "f"));
        Assert.Throws<ArgumentNullException>(() => MceInjectParser.Parse("", null!));
    }
}
