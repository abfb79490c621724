using System.Text;
using RedWhite.Core.Tickets;

namespace RedWhite.Core.Tests.Tickets;

public class FieldPoolTests
{
    [Fact]
    public void Get_SameBytesTwice_ReturnsTheSameString()
    {
        var pool = new FieldPool();
        var first = pool.Get("white-1.0"u8);
        Assert.Equal("white-1.0", first);
        Assert.Same(first, pool.Get("white-1.0"u8));
    }

    [Fact]
    public void Get_NonAscii_DecodesUtf8()
    {
        Assert.Equal("config-é", new FieldPool().Get(Encoding.UTF8.GetBytes("config-é")));
    }

    [Fact]
    public void Get_PastCapacity_StillDecodesEveryValueButRemembersNoMore()
    {
        var pool = new FieldPool();
        for (var i = 0; i < FieldPool.Capacity; i++)
        {
            pool.Get(Encoding.UTF8.GetBytes($"v-{i}"));
        }

        var extra = pool.Get("one-too-many"u8);
        Assert.Equal("one-too-many", extra);
        Assert.NotSame(extra, pool.Get("one-too-many"u8));
        Assert.Same(pool.Get("v-7"u8), pool.Get("v-7"u8));
    }

    [Fact]
    public void Get_LongValue_IsDecodedWhole()
    {
        var value = new string('x', 1000);
        Assert.Equal(value, new FieldPool().Get(Encoding.UTF8.GetBytes(value)));
    }
}
