// The lab's PutData.cs, redone on the gamelake SDK (Task 4 of the serverless analytics lab,
// John Lemon's Haunted Jaunt). PutData posted one UnityWebRequest per death or escape with a
// DataPoint and forgot it when offline; this sends the same DataPoint fields, with the same
// names ("Time Played" with its space), as a "death" or "escape" event through the queued,
// batched client. Call PlayerCaught from GameEnding.CaughtPlayer and PlayerEscaped when
// John reaches the exit (where the lab called PutData).
// Thread-safety: Unity calls it on the main thread; Track itself returns at once.
using System.Collections.Generic;
using Gamelake.Unity;
using UnityEngine;

namespace Gamelake.Samples
{
    /// <summary>The lab's DataPoint: what one play of the level reports.</summary>
    public class DataPoint
    {
        public int PlayerID;
        public int TimePlayed;  // seconds; sent as "Time Played"
        public int Wins;
        public int Losses;
        public int CaughtAt;  // the room (1 living room ... 6 the last room), 0 on an escape
        public int CaughtBy;  // the enemy (1-3 ghosts, 4-6 gargoyles), 0 on an escape

        /// <summary>The event's properties, named exactly as the lab's JSON and SQL have them.</summary>
        public Dictionary<string, object> ToProperties()
        {
            return new Dictionary<string, object>
            {
                { "PlayerID", PlayerID },
                { "Time Played", TimePlayed },
                { "Wins", Wins },
                { "Losses", Losses },
                { "CaughtAt", CaughtAt },
                { "CaughtBy", CaughtBy },
            };
        }
    }

    /// <summary>Replaces PutData: put it on the Analytics object beside a GamelakeBehaviour.</summary>
    public class GameAnalytics : MonoBehaviour
    {
        public int playerId;
        private int wins_;
        private int losses_;
        private float startTime_;

        private void Start()
        {
            startTime_ = Time.time;
            if (GamelakeBehaviour.Client != null) GamelakeBehaviour.Client.SetPlayerId(playerId.ToString());
        }

        /// <summary>A ghost or gargoyle caught John: the lab's death POST.</summary>
        public void PlayerCaught(int caughtAt, int caughtBy)
        {
            losses_++;
            Send("death", caughtAt, caughtBy);
        }

        /// <summary>John escaped the mansion.</summary>
        public void PlayerEscaped()
        {
            wins_++;
            Send("escape", 0, 0);
        }

        private void Send(string eventName, int caughtAt, int caughtBy)
        {
            var point = new DataPoint
            {
                PlayerID = playerId,
                TimePlayed = (int)(Time.time - startTime_),
                Wins = wins_,
                Losses = losses_,
                CaughtAt = caughtAt,
                CaughtBy = caughtBy,
            };
            Client client = GamelakeBehaviour.Client;
            if (client == null)
            {
                Debug.LogWarning("[gamelake] no GamelakeBehaviour in the scene; " + eventName + " not sent");
                return;
            }
            client.Track(eventName, point.ToProperties());
        }
    }
}
