#include "metrics/chunk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../common/status_matchers.h"

namespace gamelake {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

// slot -> sum, as ForEach sees them.
std::vector<std::pair<uint32_t, double>> Cells(const Chunk& c, uint32_t first = 0,
                                               uint32_t last = 60) {
  std::vector<std::pair<uint32_t, double>> out;
  EXPECT_THAT(
      c.ForEach(first, last, [&](uint32_t s, const Aggregate& a) { out.emplace_back(s, a.sum()); }),
      IsOk());
  return out;
}

Chunk Filled(std::initializer_list<uint32_t> slots) {
  Chunk c(60);
  for (uint32_t s : slots) {
    c.Cell(s).Add(s);
    c.Cell(s).Add(1);  // Two values: the cell keeps a sketch.
  }
  return c;
}

TEST(ChunkTest, SealingOlderCellsKeepsEveryCellAndTheEncoding) {
  Chunk open = Filled({0, 1, 2, 5, 7, 8, 9});
  Chunk partly = Filled({0, 1, 2, 5, 7, 8, 9});
  partly.SealBefore(6, /*min_cells=*/4);  // 0, 1, 2, 5 sealed; 7, 8, 9 open.
  EXPECT_FALSE(partly.sealed());
  EXPECT_EQ(partly.cell_count(), 7u);
  EXPECT_LT(partly.MemoryBytes(), open.MemoryBytes());
  EXPECT_EQ(Cells(partly), Cells(open));
  EXPECT_THAT(Cells(partly, 2, 8), ElementsAre(Pair(2, 3), Pair(5, 6), Pair(7, 8)));
  // The same bytes as sealing all at once: checkpoints cannot tell.
  EXPECT_EQ(partly.Encoded(), open.Encoded());
  // Fewer than min_cells newly done: nothing changes.
  size_t bytes = partly.MemoryBytes();
  partly.SealBefore(8, 4);
  EXPECT_EQ(partly.MemoryBytes(), bytes);
  partly.SealBefore(8, 1);  // 7 joins the sealed cells.
  EXPECT_EQ(Cells(partly), Cells(open));
  EXPECT_EQ(partly.Encoded(), open.Encoded());
  // New cells after the sealed ones stay open; everything reads the same.
  partly.Cell(20).Add(4);
  open.Cell(20).Add(4);
  EXPECT_EQ(Cells(partly), Cells(open));
  partly.Seal();
  EXPECT_TRUE(partly.sealed());
  EXPECT_EQ(partly.Encoded(), open.Encoded());
  auto back = Chunk::FromEncoded(60, partly.Encoded());
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_EQ(Cells(*back), Cells(open));
  EXPECT_EQ(back->cell_count(), 8u);
}

TEST(ChunkTest, LateDataIntoASealedCellReopensTheChunk) {
  Chunk c = Filled({0, 1, 2, 3, 4, 5});
  c.SealBefore(4, 1);
  c.Cell(1).Add(100);  // Late, into a sealed cell.
  c.Cell(5).Add(100);  // Into an open one.
  Chunk want = Filled({0, 1, 2, 3, 4, 5});
  want.Cell(1).Add(100);
  want.Cell(5).Add(100);
  EXPECT_EQ(Cells(c), Cells(want));
  EXPECT_EQ(c.Encoded(), want.Encoded());
  EXPECT_EQ(c.cell_count(), 6u);
}

TEST(ChunkTest, EmptyAndFullySealedChunks) {
  Chunk empty(60);
  EXPECT_TRUE(empty.empty());
  auto back = Chunk::FromEncoded(60, empty.Encoded());
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_TRUE(back->empty());
  Chunk c = Filled({3});
  c.SealBefore(60, 1);  // Past every cell: the whole chunk.
  EXPECT_TRUE(c.sealed());
  EXPECT_THAT(Cells(c), ElementsAre(Pair(3, 4)));
  EXPECT_FALSE(Chunk::FromEncoded(2, c.Encoded()).ok());  // Slot 3 of a 2-slot chunk.
}

}  // namespace
}  // namespace gamelake
