// Builds one event's JSON (docs/sdk.md, "The event"): the SDK's fields, then the
// properties at the top level. A property named ts, session_id, player_id, platform,
// app_version or sdk_version replaces the SDK's value; event_id and event_type are ignored.
// Thread-safety: stateless; the caller owns the writer.
using System.Collections.Generic;

namespace Gamelake
{
    internal static class EventJson
    {
        private const int OverTs = 1, OverSession = 2, OverPlayer = 4, OverPlatform = 8, OverApp = 16, OverSdk = 32;

        public static void Write(JsonWriter w, string eventId, string name, long ts, string sessionId, string playerId,
                                 string platform, string appVersion, IDictionary<string, object> props, Client client)
        {
            int overrides = props.Count == 0 ? 0 : Overrides(props);
            w.Clear();
            w.RawAscii("{\"event_id\":\"");
            w.RawAscii(eventId);
            w.RawAscii("\",\"event_type\":");
            w.String(name);
            if ((overrides & OverTs) == 0) { w.RawAscii(",\"ts\":"); Iso8601.Write(w, ts); }
            if ((overrides & OverSession) == 0 && sessionId != null) { w.RawAscii(",\"session_id\":\""); w.RawAscii(sessionId); w.Raw((byte)'"'); }
            if ((overrides & OverPlayer) == 0 && !string.IsNullOrEmpty(playerId)) { w.RawAscii(",\"player_id\":"); w.String(playerId); }
            if ((overrides & OverPlatform) == 0 && !string.IsNullOrEmpty(platform)) { w.RawAscii(",\"platform\":"); w.String(platform); }
            if ((overrides & OverApp) == 0 && !string.IsNullOrEmpty(appVersion)) { w.RawAscii(",\"app_version\":"); w.String(appVersion); }
            if ((overrides & OverSdk) == 0) w.RawAscii(",\"sdk_version\":\"" + Client.SdkVersion + "\"");
            var dict = props as Dictionary<string, object>;
            if (dict != null)
            {
                foreach (KeyValuePair<string, object> kv in dict) Property(w, kv.Key, kv.Value, client);
            }
            else
            {
                foreach (KeyValuePair<string, object> kv in props) Property(w, kv.Key, kv.Value, client);
            }
            w.Raw((byte)'}');
        }

        private static void Property(JsonWriter w, string key, object value, Client client)
        {
            if (key == null) return;
            if (key == "event_id" || key == "event_type")
            {
                if (client != null) client.DebugLog("property \"" + key + "\" ignored (the SDK sets it)");
                return;
            }
            w.Raw((byte)',');
            w.String(key);
            w.Raw((byte)':');
            w.Value(value);
        }

        private static int Overrides(IDictionary<string, object> props)
        {
            int mask = 0;
            if (props.ContainsKey("ts")) mask |= OverTs;
            if (props.ContainsKey("session_id")) mask |= OverSession;
            if (props.ContainsKey("player_id")) mask |= OverPlayer;
            if (props.ContainsKey("platform")) mask |= OverPlatform;
            if (props.ContainsKey("app_version")) mask |= OverApp;
            if (props.ContainsKey("sdk_version")) mask |= OverSdk;
            return mask;
        }
    }
}
