using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// Records structural changes (create, destroy, add, remove) and component writes to apply to a
/// <see cref="World"/> later, in recorded order, at a step boundary. Values are stored as bytes in one
/// growable buffer, so recording and playback allocate nothing once the buffers are warm.
/// </summary>
/// <remarks>
/// <para><see cref="Create"/> returns a placeholder (index -2, -3, ...; version = this buffer's current
/// generation) that the same buffer accepts in later commands until the next <see cref="Playback"/> or
/// <see cref="Clear"/>; playback replaces it with the real entity. Placeholders stored inside component values
/// are not rewritten.</para>
/// <para>Not thread-safe: give each worker its own buffer and play them back with
/// <see cref="PlaybackAll"/> in a fixed order, so the result does not depend on timing.</para>
/// </remarks>
internal sealed class CommandBuffer
{
    private Command[] _commands;
    private byte[] _bytes;
    private Entity[] _created;
    private int _count;
    private int _byteCount;
    private int _createCount;
    private int _generation = 1;

    /// <summary>Creates an empty buffer.</summary>
    /// <param name="initialCapacity">Commands allocated up front (grown by doubling after that).</param>
    public CommandBuffer(int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        int capacity = Math.Max(initialCapacity, 4);
        _commands = new Command[capacity];
        _bytes = new byte[capacity * 16];
        _created = new Entity[capacity];
    }

    private enum CommandKind : byte
    {
        Create,
        Destroy,
        Add,
        Set,
        Remove,
    }

    /// <summary>Recorded commands not yet played back.</summary>
    public int Count => _count;

    /// <summary>
    /// Plays back each buffer in index order (each in its recorded order), clearing each. Deterministic as
    /// long as the span's order is.
    /// </summary>
    public static void PlaybackAll(World world, ReadOnlySpan<CommandBuffer> buffers)
    {
        ArgumentNullException.ThrowIfNull(world);
        foreach (CommandBuffer buffer in buffers)
        {
            buffer.Playback(world);
        }
    }

    /// <summary>Records the creation of an empty entity; returns its placeholder.</summary>
    public Entity Create()
    {
        if (_createCount == _created.Length)
        {
            Array.Resize(ref _created, _created.Length * 2);
        }

        var placeholder = new Entity(-2 - _createCount, _generation);
        _createCount++;
        Append(CommandKind.Create, placeholder, typeIndex: -1, byteOffset: 0);
        return placeholder;
    }

    /// <summary>Records <see cref="World.Destroy"/> of an entity or a placeholder of this buffer.</summary>
    public void Destroy(Entity entity)
    {
        Validate(entity);
        Append(CommandKind.Destroy, entity, typeIndex: -1, byteOffset: 0);
    }

    /// <summary>Records <see cref="World.Add{T}(Entity, in T)"/>.</summary>
    public void Add<T>(Entity entity, in T value)
        where T : unmanaged
    {
        Validate(entity);
        Append(CommandKind.Add, entity, ComponentTypeIndex<T>.Value, Store(value));
    }

    /// <summary>Records <see cref="World.Set{T}(Entity, in T)"/>.</summary>
    public void Set<T>(Entity entity, in T value)
        where T : unmanaged
    {
        Validate(entity);
        Append(CommandKind.Set, entity, ComponentTypeIndex<T>.Value, Store(value));
    }

    /// <summary>Records <see cref="World.Remove{T}(Entity)"/>.</summary>
    public void Remove<T>(Entity entity)
        where T : unmanaged
    {
        Validate(entity);
        Append(CommandKind.Remove, entity, ComponentTypeIndex<T>.Value, byteOffset: 0);
    }

    /// <summary>
    /// Applies the commands to <paramref name="world"/> in recorded order, then clears the buffer. If a
    /// command fails, the commands before it stay applied, the buffer is still cleared, and an
    /// <see cref="InvalidOperationException"/> names the failing command (the world's exception is inner).
    /// </summary>
    public void Playback(World world)
    {
        ArgumentNullException.ThrowIfNull(world);
        int index = 0;
        try
        {
            for (; index < _count; index++)
            {
                Execute(world, in _commands[index]);
            }
        }
        catch (InvalidOperationException exception)
        {
            ref Command failed = ref _commands[index];
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Command {index} of {_count} ({failed.Kind} on {failed.Entity}) failed: {exception.Message}"), exception);
        }
        finally
        {
            Clear();
        }

        world.AssertInvariants();
    }

    /// <summary>Discards every recorded command; placeholders issued so far become invalid.</summary>
    public void Clear()
    {
        _count = 0;
        _byteCount = 0;
        _createCount = 0;
        _generation = _generation == int.MaxValue ? 1 : _generation + 1;
    }

    private static bool IsPlaceholder(Entity entity) => entity.Index < -1;

    private void Execute(World world, in Command command)
    {
        if (command.Kind == CommandKind.Create)
        {
            _created[-2 - command.Entity.Index] = world.Create();
            return;
        }

        Entity entity = Resolve(command.Entity);
        switch (command.Kind)
        {
            case CommandKind.Destroy:
                world.Destroy(entity);
                break;
            case CommandKind.Add:
                Info(command).AddFromBytes(world, entity, Bytes(command));
                break;
            case CommandKind.Set:
                Info(command).SetFromBytes(world, entity, Bytes(command));
                break;
            case CommandKind.Remove:
                Info(command).Remove(world, entity);
                break;
            default:
                throw new UnreachableException($"Unknown command kind {command.Kind}.");
        }
    }

    private static ComponentInfo Info(in Command command) => ComponentRegistry.Get(command.TypeIndex);

    private ReadOnlySpan<byte> Bytes(in Command command) =>
        new(_bytes, command.ByteOffset, Info(command).SizeBytes);

    private Entity Resolve(Entity entity)
    {
        if (!IsPlaceholder(entity))
        {
            return entity;
        }

        int createIndex = -2 - entity.Index;
        Debug.Assert(createIndex < _createCount, "placeholder was validated at record time");
        return _created[createIndex];
    }

    private void Validate(Entity entity)
    {
        if (entity.IsNull)
        {
            throw new ArgumentException("Entity.Null names no entity; expected an entity or a placeholder from this buffer's Create().", nameof(entity));
        }

        if (IsPlaceholder(entity) && (entity.Version != _generation || -2 - entity.Index >= _createCount))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{entity} is not a placeholder of this buffer's current recording (generation {_generation}, {_createCount} created); expected a placeholder returned by this buffer's Create() since its last Playback or Clear."),
                nameof(entity));
        }
    }

    private unsafe int Store<T>(in T value)
        where T : unmanaged
    {
        int offset = _byteCount;
        int end = offset + sizeof(T);
        if (end > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(end, _bytes.Length * 2));
        }

        Unsafe.WriteUnaligned(ref _bytes[offset], value);
        _byteCount = end;
        return offset;
    }

    private void Append(CommandKind kind, Entity entity, int typeIndex, int byteOffset)
    {
        if (_count == _commands.Length)
        {
            Array.Resize(ref _commands, _commands.Length * 2);
        }

        _commands[_count++] = new Command(kind, entity, typeIndex, byteOffset);
    }

    /// <summary>One recorded command; a value (for Add and Set) lives in the byte buffer at <see cref="ByteOffset"/>.</summary>
    private readonly record struct Command(CommandKind Kind, Entity Entity, int TypeIndex, int ByteOffset);
}
