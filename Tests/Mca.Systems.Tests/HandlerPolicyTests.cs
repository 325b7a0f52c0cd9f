using Mca.Systems.Model;

namespace Mca.Systems.Tests;

/// <summary>The policies are data: what each one sets, field by field, where the sources decide it.</summary>
public class HandlerPolicyTests
{
    [Theory]
    [InlineData("rfc2009", false)]
    [InlineData("rfc2009-impacted", false)]
    [InlineData("xen", true)]
    public void LmceEnabled_OnlyCurrentXen(string name, bool enabled)
    {
        // A 2009 hypervisor never set MCG_EXT_CTL.LMCE_EN; current Xen does on an LMCE_P host (Xen mce_intel.c intel_init_lmce).
        Assert.Equal(enabled, HandlerPolicy.Parse(name).LmceEnabled);
    }
}
