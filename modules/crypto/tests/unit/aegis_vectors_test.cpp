// The published test vectors of draft-irtf-cfrg-aegis-aead for every AEGIS
// variant: AEGIS-128L and AEGIS-256 (update vector + test vectors 1-9),
// AEGIS-128X2/X4 and AEGIS-256X2/X4 (state after initialization + test
// vectors 1-2). Each vector is checked with both the 128-bit and the
// 256-bit tag, encrypting and decrypting; the negative vectors must fail
// and leave no plaintext behind.
#include <gtest/gtest.h>

#include <vector>

#include "aegis.h"
#include "cipher.h"
#include "test_util.h"

namespace keel::crypto {
namespace {

using testing::hex;
using testing::unhex;

struct Vector {
  const char* name;
  bool valid;
  const char* key;
  const char* nonce;
  const char* ad;
  const char* msg;  // empty for negative vectors
  const char* ct;
  const char* tag128;
  const char* tag256;
};

void check(const aegis::Functions& fn, const Vector& v) {
  SCOPED_TRACE(v.name);
  auto key = unhex(v.key), nonce = unhex(v.nonce), ad = unhex(v.ad), msg = unhex(v.msg), ct = unhex(v.ct);
  for (size_t tag_len : {size_t{16}, size_t{32}}) {
    SCOPED_TRACE(tag_len);
    auto tag = unhex(tag_len == 16 ? v.tag128 : v.tag256);
    ASSERT_EQ(tag.size(), tag_len);
    if (v.valid) {
      std::vector<uint8_t> out(msg.size() + 1, 0xee), got_tag(tag_len);
      fn.encrypt(key.data(), nonce.data(), ad.data(), ad.size(), msg.data(), msg.size(), out.data(),
                 got_tag.data(), tag_len);
      EXPECT_EQ(hex(out.data(), msg.size()), v.ct);
      EXPECT_EQ(out[msg.size()], 0xee) << "wrote past the end";
      EXPECT_EQ(hex(got_tag), hex(tag));
    }
    std::vector<uint8_t> plain(ct.size() + 1, 0xee);
    bool ok = fn.decrypt(key.data(), nonce.data(), ad.data(), ad.size(), ct.data(), ct.size(), plain.data(),
                         tag.data(), tag_len);
    EXPECT_EQ(ok, v.valid);
    if (v.valid) {
      EXPECT_EQ(hex(plain.data(), ct.size()), v.msg);
    } else {
      EXPECT_EQ(hex(plain.data(), ct.size()), std::string(2 * ct.size(), '0')) << "plaintext leaked";
    }
    EXPECT_EQ(plain[ct.size()], 0xee);
  }
}

bool supported(CipherId id) {
  Status s = check_cpu_support(id);
  if (!s.ok()) std::cout << "[  SKIPPED ] " << s.message() << "\n";
  return s.ok();
}

// ------------------------------------------------------------- AEGIS-128L

TEST(Aegis128L, UpdateVector) {
  if (!supported(CipherId::kAegis128L)) GTEST_SKIP();
  auto s = unhex(
      "9b7e60b24cc873ea894ecc07911049a3330be08f35300faa2ebf9a7b0d2746587bbd5bd2b049f7b9b515cf26fbe7756c"
      "c35a00f55ea86c3886ec5e928f87db189ebccafce87cab446396c4334592c91f58d83e31f256371e60fc6bb257114601"
      "1639b56ea322c88568a176585bc915de640818ffb57dc0fbc2e72ae93457e39a");
  auto m0 = unhex("033e6975b94816879e42917650955aa0"), m1 = unhex("fcc1968a46b7e97861bd6e89af6aa55f");
  aegis::testing::update_128l(s.data(), m0.data(), m1.data());
  EXPECT_EQ(hex(s),
            "596ab773e4433ca0127c73f60536769d790394041a3d26ab697bde865014652d38cf49e4b65248acd533041b64dd0611"
            "16d8e58748f437bfff1797f780337cee9689ecdf08228c74d7e3360cca53d0a5a21746bb193a569e331e1aa985d0d729"
            "09d714e6fcf9177a8ed1cde7e3d259a661279ba73167f0ab76f0a11bf203bdff");
}

constexpr const char* k128 = "10010000000000000000000000000000";
constexpr const char* n128 = "10000200000000000000000000000000";

const Vector k128LVectors[] = {
    {"128L TV1", true, k128, n128, "", "00000000000000000000000000000000", "c1c0e58bd913006feba00f4b3cc3594e",
     "abe0ece80c24868a226a35d16bdae37a", "25835bfbb21632176cf03840687cb968cace4617af1bd0f7d064c639a5c79ee4"},
    {"128L TV2", true, k128, n128, "", "", "", "c2b879a67def9d74e6c14f708bbcc9b4",
     "1360dc9db8ae42455f6e5b6a9d488ea4f2184c4e12120249335c4ee84bafe25d"},
    {"128L TV3", true, k128, n128, "0001020304050607",
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "79d94593d8c2119d7e8fd9b8fc77845c5c077a05b2528b6ac54b563aed8efe84", "cc6f3372f6aa1bb82388d695c3962d9a",
     "022cb796fe7e0ae1197525ff67e309484cfbab6528ddef89f17d74ef8ecd82b3"},
    {"128L TV4", true, k128, n128, "0001020304050607", "000102030405060708090a0b0c0d",
     "79d94593d8c2119d7e8fd9b8fc77", "5c04b3dba849b2701effbe32c7f0fab7",
     "86f1b80bfb463aba711d15405d094baf4a55a15dbfec81a76f35ed0b9c8b04ac"},
    {"128L TV5", true, k128, n128,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829",
     "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
     "b31052ad1cca4e291abcf2df3502e6bdb1bfd6db36798be3607b1f94d34478aa7ede7f7a990fec10",
     "7542a745733014f9474417b337399507", "b91e2947a33da8bee89b6794e647baf0fc835ff574aca3fc27c33be0db2aff98"},
    {"128L TV6 (swapped key/nonce)", false, n128, k128, "0001020304050607", "",
     "79d94593d8c2119d7e8fd9b8fc77", "5c04b3dba849b2701effbe32c7f0fab7",
     "86f1b80bfb463aba711d15405d094baf4a55a15dbfec81a76f35ed0b9c8b04ac"},
    {"128L TV7 (altered ciphertext)", false, k128, n128, "0001020304050607", "",
     "79d94593d8c2119d7e8fd9b8fc78", "5c04b3dba849b2701effbe32c7f0fab7",
     "86f1b80bfb463aba711d15405d094baf4a55a15dbfec81a76f35ed0b9c8b04ac"},
    {"128L TV8 (altered ad)", false, k128, n128, "0001020304050608", "", "79d94593d8c2119d7e8fd9b8fc77",
     "5c04b3dba849b2701effbe32c7f0fab7", "86f1b80bfb463aba711d15405d094baf4a55a15dbfec81a76f35ed0b9c8b04ac"},
    {"128L TV9 (altered tag)", false, k128, n128, "0001020304050607", "", "79d94593d8c2119d7e8fd9b8fc77",
     "6c04b3dba849b2701effbe32c7f0fab8", "86f1b80bfb463aba711d15405d094baf4a55a15dbfec81a76f35ed0b9c8b04ad"},
};

class Aegis128LVector : public ::testing::TestWithParam<Vector> {};
TEST_P(Aegis128LVector, Matches) {
  if (!supported(CipherId::kAegis128L)) GTEST_SKIP();
  check(aegis::kAegis128L, GetParam());
}
INSTANTIATE_TEST_SUITE_P(Draft, Aegis128LVector, ::testing::ValuesIn(k128LVectors));

// -------------------------------------------------------------- AEGIS-256

TEST(Aegis256, UpdateVector) {
  if (!supported(CipherId::kAegis256)) GTEST_SKIP();
  auto s = unhex(
      "1fa1207ed76c86f2c4bb40e8b395b43eb44c375e6c1e1978db64bcd12e9e332f0dab84bfa9f0226432ff630f233d4e5b"
      "d7ef65c9b93e8ee60c75161407b066e7a760bb3da073fbd92bdc24734b1f56fba828a18d6a964497ac6e7e53c5f55c73");
  auto m = unhex("b165617ed04ab738afb2612c6d18a1ec");
  aegis::testing::update_256(s.data(), m.data());
  EXPECT_EQ(
      hex(s),
      "e6bc643bae82dfa3d991b1b323839dcd648578232ba0f2f0a3677f617dc052c3ea788e0e572044a46059212dd007a789"
      "2f1498ae19b80da13fba698f088a8590a54c2ee95e8c2a2c3dae2ec743ae6b86a3240fceb68e32d5d114df1b5363ab67");
}

constexpr const char* k256 = "1001000000000000000000000000000000000000000000000000000000000000";
constexpr const char* n256 = "1000020000000000000000000000000000000000000000000000000000000000";

const Vector k256Vectors[] = {
    {"256 TV1", true, k256, n256, "", "00000000000000000000000000000000", "754fc3d8c973246dcc6d741412a4b236",
     "3fe91994768b332ed7f570a19ec5896e", "1181a1d18091082bf0266f66297d167d2e68b845f61a3b0527d31fc7b7b89f13"},
    {"256 TV2", true, k256, n256, "", "", "", "e3def978a0f054afd1e761d7553afba3",
     "6a348c930adbd654896e1666aad67de989ea75ebaa2b82fb588977b1ffec864a"},
    {"256 TV3", true, k256, n256, "0001020304050607",
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "f373079ed84b2709faee373584585d60accd191db310ef5d8b11833df9dec711", "8d86f91ee606e9ff26a01b64ccbdd91d",
     "b7d28d0c3c0ebd409fd22b44160503073a547412da0854bfb9723020dab8da1a"},
    {"256 TV4", true, k256, n256, "0001020304050607", "000102030405060708090a0b0c0d",
     "f373079ed84b2709faee37358458", "c60b9c2d33ceb058f96e6dd03c215652",
     "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2d9"},
    {"256 TV5", true, k256, n256,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223242526272829",
     "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637",
     "57754a7d09963e7c787583a2e7b859bb24fa1e04d49fd550b2511a358e3bca252a9b1b8b30cc4a67",
     "ab8a7d53fd0e98d727accca94925e128", "a3aca270c006094d71c20e6910b5161c0826df233d08919a566ec2c05990f734"},
    {"256 TV6 (swapped key/nonce)", false, n256, k256, "0001020304050607", "", "f373079ed84b2709faee37358458",
     "c60b9c2d33ceb058f96e6dd03c215652", "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2d9"},
    {"256 TV7 (altered ciphertext)", false, k256, n256, "0001020304050607", "",
     "f373079ed84b2709faee37358459", "c60b9c2d33ceb058f96e6dd03c215652",
     "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2d9"},
    {"256 TV8 (altered ad)", false, k256, n256, "0001020304050608", "", "f373079ed84b2709faee37358458",
     "c60b9c2d33ceb058f96e6dd03c215652", "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2d9"},
    {"256 TV9 (altered tag)", false, k256, n256, "0001020304050607", "", "f373079ed84b2709faee37358458",
     "c60b9c2d33ceb058f96e6dd03c215653", "8c1cc703c81281bee3f6d9966e14948b4a175b2efbdc31e61a98b4465235c2da"},
};

class Aegis256Vector : public ::testing::TestWithParam<Vector> {};
TEST_P(Aegis256Vector, Matches) {
  if (!supported(CipherId::kAegis256)) GTEST_SKIP();
  check(aegis::kAegis256, GetParam());
}
INSTANTIATE_TEST_SUITE_P(Draft, Aegis256Vector, ::testing::ValuesIn(k256Vectors));

// ----------------------------------------------------------- X variants

constexpr const char* kX128Key = "000102030405060708090a0b0c0d0e0f";
constexpr const char* kX128Nonce = "101112131415161718191a1b1c1d1e1f";
constexpr const char* kX256Key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kX256Nonce = "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f";
constexpr const char* kXAd = "0102030401020304";
constexpr const char* kXMsg =
    "04050607040506070405060704050607040506070405060704050607040506070405060704050607040506070405060704050607"
    "04050607040506070405060704050607040506070405060704050607040506070405060704050607040506070405060704050607"
    "04050607040506070405060704050607";

// State words V[i][lane], concatenated in the draft's order.
std::string state_hex(const std::vector<const char*>& words) {
  std::string s;
  for (const char* w : words) s += w;
  return s;
}

TEST(Aegis128X2, InitialState) {
  if (!supported(CipherId::kAegis128X2)) GTEST_SKIP();
  auto key = unhex(kX128Key), nonce = unhex(kX128Nonce);
  std::vector<uint8_t> st(8 * 2 * 16);
  aegis::testing::init_128x2(key.data(), nonce.data(), st.data());
  EXPECT_EQ(hex(st), state_hex({"a4fc1ad9a72942fb88bd2cabbba6509a", "80a40e392fc71084209b6c3319bdc6cc",
                                "380f435cf801763b1f0c2a2f7212052d", "73796607b59b1b650ee91c152af1f18a",
                                "6ee1de433ea877fa33bc0782abff2dcb", "b9fab2ab496e16d1facaffd5453cbf14",
                                "85f94b0d4263bfa86fdf45a603d8b6ac", "90356c8cadbaa2c969001da02e3feca0",
                                "09bd69ad3730174bcd2ce9a27cd1357e", "e610b45125796a4fcf1708cef5c4f718",
                                "fcdeb0cf0a87bf442fc82383ddb0f6d6", "61ad32a4694d6f3cca313a2d3f4687aa",
                                "571c207988659e2cdfbdaae77f4f37e3", "32e6094e217573bf91fb28c145a3efa8",
                                "ca549badf8faa58222412478598651cf", "3407279a54ce76d2e2e8a90ec5d108eb"}));
}

TEST(Aegis128X2, Vectors) {
  if (!supported(CipherId::kAegis128X2)) GTEST_SKIP();
  check(aegis::kAegis128X2,
        {"128X2 TV1", true, kX128Key, kX128Nonce, "", "", "", "63117dc57756e402819a82e13eca8379",
         "b92c71fdbd358b8a4de70b27631ace90cffd9b9cfba82028412bac41b4f53759"});
  check(aegis::kAegis128X2, {"128X2 TV2", true, kX128Key, kX128Nonce, kXAd, kXMsg,
                             "5795544301997f93621b278809d6331b3bfa6f18e90db12c4aa35965b5e98c5fc6fb4e54bcb6111"
                             "842c20637252eff747cb3a8f85b"
                             "37de80919a589fe0f24872bc926360696739e05520647e390989e1eb5fd42f99678a0276a498f8c"
                             "454761c9d6aacb647ad56be62b29"
                             "c22cd4b5761b38f43d5a5ee062f",
                             "1aebc200804f405cab637f2adebb6d77",
                             "c471876f9b4978c44f2ae1ce770cdb11a094ee3feca64e7afcd48bfe52c60eca"});
}

TEST(Aegis128X4, InitialState) {
  if (!supported(CipherId::kAegis128X4)) GTEST_SKIP();
  auto key = unhex(kX128Key), nonce = unhex(kX128Nonce);
  std::vector<uint8_t> st(8 * 4 * 16);
  aegis::testing::init_128x4(key.data(), nonce.data(), st.data());
  EXPECT_EQ(hex(st), state_hex({"924eb07635003a37e6c6575ba8ce1929", "c8b6a5d91475445e936d48e794be0ce2",
                                "fcd37d050e24084befe3bbb219d64760", "2e9f58cfb893a8800220242c373a8b18",
                                "1a1f60c4fab64e5471dc72edfcf6fe6b", "c1e525ebea2d6375a9edd045dce96381",
                                "97a3e25abd228a44d4a14a6d3fe9185c", "c2d4cf7f4287a98744645674265d4ca8",
                                "7bb50c534f6ec4780530ff1cce8a16e8", "7b08d57557da0b5ef7b5f7d98b0ba189",
                                "6bfcac34ddb68404821a4d665303cb0f", "d95626f6dfad1aed7467622c38529932",
                                "af339fd2d50ee45fc47665c647cf6586", "d0669b39d140f0e118a4a511efe2f95a",
                                "7a94330f35c194fadda2a87e42cdeccc", "233b640d1f4d56e2757e72c1a9d8ecb1",
                                "9f93737d699ba05c11e94f2b201bef5e", "61caf387cf7cfd3f8300ac7680ccfd76",
                                "5825a671ecef03b7a9c98a601ae32115", "87a1fe4d558161a8f4c38731f3223032",
                                "7a5aca78d636c05bbc702b2980196ab6", "915d868408495d07eb527789f282c575",
                                "d0947bfbc1d3309cdffc9be1503aea62", "8834ea57a15b9fbdc0245464a4b8cbef",
                                "e46f4cf71a95ac45b6f0823e3aba1a86", "8c4ecef682fc44a8eba911b3fc7d99f9",
                                "a4fb61e2c928a2ca760b8772f2ea5f2e", "3d34ea89da73caa3016c280500a155a3",
                                "85075f0080e9d618e7eb40f57c32d9f7", "d2ab2b320c6e93b155a3787cb83e5281",
                                "0b3af0250ae36831a1b072e499929bcb", "5cce4d00329d69f1aae36aa541347512"}));
}

TEST(Aegis128X4, Vectors) {
  if (!supported(CipherId::kAegis128X4)) GTEST_SKIP();
  check(aegis::kAegis128X4,
        {"128X4 TV1", true, kX128Key, kX128Nonce, "", "", "", "5bef762d0947c00455b97bb3af30dfa3",
         "a4b25437f4be93cfa856a2f27e4416b42cac79fd4698f2cdbe6af25673e10a68"});
  check(aegis::kAegis128X4, {"128X4 TV2", true, kX128Key, kX128Nonce, kXAd, kXMsg,
                             "e836118562f4479c9d35c17356a833114c21f9aa39e4dda5e5c87f4152a00fce9a7c38f832eafe8"
                             "b1c12f8a7cf12a81a1ad8a9c24b"
                             "a9dedfbdaa586ffea67ddc801ea97d9ab4a872f42d0e352e2713dacd609f9442c17517c5a29daf3"
                             "e2a3fac4ff6b1380c4e46df7b086"
                             "af6ce6bc1ed594b8dd64aed2a7e",
                             "0e56ab94e2e85db80f9d54010caabfb4",
                             "69abf0f64a137dd6e122478d777e98bc422823006cf57f5ee822dd78397230b2"});
}

TEST(Aegis256X2, InitialState) {
  if (!supported(CipherId::kAegis256X2)) GTEST_SKIP();
  auto key = unhex(kX256Key), nonce = unhex(kX256Nonce);
  std::vector<uint8_t> st(6 * 2 * 16);
  aegis::testing::init_256x2(key.data(), nonce.data(), st.data());
  EXPECT_EQ(hex(st), state_hex({"eca2bf4538442e8712d4972595744039", "201405efa9264f07911db58101903087",
                                "3e536a998799408a97f3479a6f779d48", "0d79a7d822a5d215f78c3bf2feb33ae1",
                                "cf8c63d6f2b4563cdd9231107c85950e", "78d17ed7d8d563ff11bd202c76864839",
                                "d7e0707e6bfbbad913bc94b6993a9fa0", "097e4b1bff40d4c19cb29dfd125d62f2",
                                "a373cf6d537dd66bc0ef0f2f9285359f", "c0d0ae0c48f9df3faaf0e7be7768c326",
                                "9f76560dcae1efacabdcce446ae283bc", "bd52a6b9c8f976a26ec1409df19e8bfe"}));
}

TEST(Aegis256X2, Vectors) {
  if (!supported(CipherId::kAegis256X2)) GTEST_SKIP();
  check(aegis::kAegis256X2,
        {"256X2 TV1", true, kX256Key, kX256Nonce, "", "", "", "62cdbab084c83dacdb945bb446f049c8",
         "25d7e799b49a80354c3f881ac2f1027f471a5d293052bd9997abd3ae84014bb7"});
  check(aegis::kAegis256X2, {"256X2 TV2", true, kX256Key, kX256Nonce, kXAd, kXMsg,
                             "72120c2ea8236180d67859001f4729077b7064c414384fe3a7b52f1571f4f8a7d0f01e18db4f3bc"
                             "0adb150702e5d147a8d36522132"
                             "761b994c1bd395589e2ccf0790dfe2a3d12d61cd666b2859827739db4037dd3124c78424459376f"
                             "6cac08e1a7223a2a43e398ce6385"
                             "cd654a19f481cba3b8f25910b42",
                             "635d391828520bf1512763f0c8f5cdbd",
                             "b5668d3317159e9cc5d46e4803c3a76ad63bb42b3f47956d94f30db8cb366ad7"});
}

TEST(Aegis256X4, InitialState) {
  if (!supported(CipherId::kAegis256X4)) GTEST_SKIP();
  auto key = unhex(kX256Key), nonce = unhex(kX256Nonce);
  std::vector<uint8_t> st(6 * 4 * 16);
  aegis::testing::init_256x4(key.data(), nonce.data(), st.data());
  EXPECT_EQ(hex(st), state_hex({"482a86e8436cd2361063a4b2702769b9", "d95a2be81c9245b22996f68eea0122f9",
                                "0c2a3b348b1a5e256c6751377318c41e", "f64436a21653fe7cf2e0829a177db383",
                                "e705e8866267717d96092e58e78b574c", "d1dd412142df9806cc267af2fe1d830e",
                                "30e7dfd3c9941b8394e95bdf5bac99d9", "9f27186f8a4fab86820689822c3c74d2",
                                "e1aa6af5d9e31dde8d94a48a0810fa89", "63555cdf0d98f18fb75b029ad80786c0",
                                "a3ee0e4a3429a9539e4fcec385475608", "28ea527d31ef61df498dc107fe02df99",
                                "37f06808410c8f3954525ae44584d3be", "8fcc23bca2fe2209f93d34e2da35b33d",
                                "33156347df89eaa69ab11096362daccf", "bbe58d9dbe8c5b0469be5a87086db5d4",
                                "d1c9eb37fecbc5ada7b351fa4f501f32", "0b9b803283c1538628b507c8f6432434",
                                "bfb8b6d4f87cce28825c7e92f54b8728", "8917bb5b09c32f900c6a5a1d63c46264",
                                "4f6110c2ef0c3c687e90c1e5532ddf8e", "031bd85d99f64684d23728a0453c72a1",
                                "10bc7ec34d4119b5bdeb6c7dfc458247", "591ece530aeaa5c9867220156f5c25e3"}));
}

TEST(Aegis256X4, Vectors) {
  if (!supported(CipherId::kAegis256X4)) GTEST_SKIP();
  check(aegis::kAegis256X4,
        {"256X4 TV1", true, kX256Key, kX256Nonce, "", "", "", "3b7fee6cee7bf17888ad11ed2397beb4",
         "6093a1a8aab20ec635dc1ca71745b01b5bec4fc444c9ffbebd710d4a34d20eaf"});
  check(aegis::kAegis256X4, {"256X4 TV2", true, kX256Key, kX256Nonce, kXAd, kXMsg,
                             "bfc2085b7e8017da99b0b6d646ae4d01f4ba8f2e7dfca1d759ae48a135139b9aaac6b4f5db810d4"
                             "26be1fdaff4e1454153a34b11da"
                             "78ed7e418ee2ee9853042e95536aecbb694cea1b16a478eb0d4d1bf6509b1ce652a45af58e0e46f"
                             "fccfa2d0426e702391d2ff581380"
                             "8b81748a490dd656465fed61f09",
                             "b63b611b13975e2f3dc3cb6c2397bfcd",
                             "7847eace74409ee56c8f4cf63a9c2841ce7c8bd567d7c0ca514c879a190b978c"});
}

}  // namespace
}  // namespace keel::crypto
