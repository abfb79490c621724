namespace RedWhite.Registry.Documents;

/// <summary>
/// The Lua scripts behind <see cref="RedisRegistryStore"/>. A script runs atomically on the server, so the
/// revision check, the writes and the notification are one step: no reader sees a pointer to a document
/// that is not there yet, and no two writers can both pass the check.
/// </summary>
/// <remarks>
/// Keys for both scripts: 1 = pointer (<c>current</c>), 2 = revision index (sorted set), 3 = audit list,
/// 4 = the document key of the revision being written, 5 = when each revision was committed (sorted set,
/// Unix milliseconds). Both answer <c>{1, revision}</c> on success and <c>{0, head}</c> when refused, where head is
/// the highest revision the store knows.
/// </remarks>
internal static class RedisRegistryScripts
{
    /// <summary>
    /// Compare-and-set commit. ARGV: 1 = expected revision, 2 = document, 3 = audit entry, 4 = channel,
    /// 5 = revisions kept, 6 = now, 7 = the oldest commit time kept (both Unix ms), 8 = audit entries kept,
    /// 9 = the prefix of document keys. The notification carries the document, so readers serve it without a
    /// read of their own. Then the oldest revisions past the count, and those committed before the cutoff, are
    /// pruned (never the new current one), and the audit list is trimmed to its own count: retention is part of
    /// the commit, so storage stays bounded however fast a key writes.
    /// The check is against the head (the higher of the pointer and the newest kept revision), not the
    /// pointer alone: a pointer set back by hand must never let a writer overwrite a kept revision, and the
    /// next change made from the head moves every reader forward again.
    /// </summary>
    public const string Commit = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        local head = current
        local top = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        if top[2] and tonumber(top[2]) > head then head = tonumber(top[2]) end
        local expected = tonumber(ARGV[1])
        if head ~= expected then return {0, head} end
        local nextRevision = expected + 1
        if redis.call('EXISTS', KEYS[4]) == 1 then return {0, nextRevision} end
        redis.call('SET', KEYS[4], ARGV[2])
        redis.call('ZADD', KEYS[2], nextRevision, tostring(nextRevision))
        redis.call('SET', KEYS[1], tostring(nextRevision))
        redis.call('RPUSH', KEYS[3], ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[2])
        redis.call('ZADD', KEYS[5], tonumber(ARGV[6]), tostring(nextRevision))
        local pruned = {}
        local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
        if excess > 0 then pruned = redis.call('ZRANGE', KEYS[2], 0, excess - 1) end
        for _, r in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[7])) do table.insert(pruned, r) end
        for _, r in ipairs(pruned) do
          if r ~= tostring(nextRevision) then
            redis.call('DEL', ARGV[9] .. r)
            redis.call('ZREM', KEYS[2], r)
            redis.call('ZREM', KEYS[5], r)
          end
        end
        redis.call('LTRIM', KEYS[3], -tonumber(ARGV[8]), -1)
        return {1, nextRevision}
        """;

    /// <summary>
    /// Seed a store that is empty or behind (Redis lost its last writes): ARGV 1 = the document's revision,
    /// 2 = document, 3 = audit entry serialized with <c>"revisionBefore":-1</c>, which the script fills in
    /// with the head it replaced, 4 = channel. Refused unless that revision is above the head, because
    /// revision numbers are never reused for different content and the store never moves backward. ARGV 6 (now, Unix
    /// ms) is when the seeded revision counts as committed.
    /// </summary>
    public const string Seed = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        local head = current
        local top = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        if top[2] and tonumber(top[2]) > head then head = tonumber(top[2]) end
        local revision = tonumber(ARGV[1])
        if head >= revision or redis.call('EXISTS', KEYS[4]) == 1 then return {0, head} end
        redis.call('SET', KEYS[4], ARGV[2])
        redis.call('ZADD', KEYS[2], revision, tostring(revision))
        redis.call('SET', KEYS[1], tostring(revision))
        redis.call('ZADD', KEYS[5], tonumber(ARGV[6]), tostring(revision))
        local audit = string.gsub(ARGV[3], '"revisionBefore":%-1', '"revisionBefore":' .. string.format('%d', head), 1)
        redis.call('RPUSH', KEYS[3], audit)
        redis.call('PUBLISH', ARGV[4], tostring(revision))
        return {1, revision}
        """;

    /// <summary>
    /// One round trip for what a reader needs: KEYS 1 = pointer, 2 = revision index; ARGV 1 = the prefix of
    /// document keys (<c>rw:rev:</c>), 2 = <c>head</c> to also read the newest kept revision when it is above
    /// the pointer (Admin's writes start from the head). Answers <c>{pointer, its document, newest, its
    /// document}</c>, each nil when absent. Reads only; the document keys are computed, so this suits a
    /// single Redis (or a primary with replicas), as the rest of the store does.
    /// </summary>
    public const string Read = """
        local pointer = redis.call('GET', KEYS[1])
        local document = false
        if pointer then document = redis.call('GET', ARGV[1] .. pointer) end
        local newest, newestDocument = false, false
        if ARGV[2] == 'head' then
          local top = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
          if top[2] and tonumber(top[2]) > (tonumber(pointer) or 0) then
            newest = top[1]
            newestDocument = redis.call('GET', ARGV[1] .. top[1])
          end
        end
        return {pointer, document, newest, newestDocument}
        """;
}
