"""The allen_np manifest: every published file, its sha256 and size, and the upstream files it is built from.

- ``images/scene_NNN.png``: the Allen Institute's own stimulus templates in its public S3 bucket
  (what allensdk's ``EcephysProjectCache.get_natural_scene_template`` downloads), re-encoded as PNG
  with the same pixels (``convert.scene_tiff``);
- ``spike_counts.npz`` and ``units.json``: the 56 per-session files (window means of 10-ms bin counts,
  float32, and their metadata) in giovanni-lucarelli/mice-representation (MIT), built from Nayebi et
  al. 2023's packaging of the Allen data; each session pinned to the commit and folder of the exact
  version published (``SESSIONS``), converted by ``convert.spike_counts`` / ``convert.units``.

Pinned commits: a raw URL at a commit never changes under us; the sha256 would catch it if it did.
``build_manifest(s3, github)`` takes the two hosts as arguments (the tests serve both from 127.0.0.1).
"""
from __future__ import annotations

from functools import partial

from brainbench.manifest import FileSpec, Manifest
from brainbench.fetch import MIRROR_ENV

from . import convert

FOLDER = "allen_neuropixels_natural_scenes"
ALLEN_S3 = "https://allen-brain-observatory.s3.us-west-2.amazonaws.com"
SCENE_TEMPLATES = "visual-coding-neuropixels/ecephys-cache/natural_scene_templates"
LUCARELLI_REPO = "https://raw.githubusercontent.com/giovanni-lucarelli/mice-representation"
ORIGIN = (
    "the Allen Institute's S3 bucket (stimulus templates) and giovanni-lucarelli/mice-representation "
    "(per-session spike counts of Allen Brain Observatory Visual Coding Neuropixels, natural scenes, "
    "via Nayebi et al. 2023)"
)
REBUILD = (
    "should the pinned upstream files ever disappear: use a brainbench data mirror "
    f"(${MIRROR_ENV}), `brainbench data import DIR`, or rebuild from the Allen Institute's servers "
    "with datasets/allen_neuropixels/package_allensdk.py (see docs/data.md; a rebuild is a new data "
    "version, with its own checksums)"
)


def build_manifest(s3: str = ALLEN_S3, github: str = LUCARELLI_REPO) -> Manifest:
    """Images from Allen's templates; spike_counts.npz and units.json each from all 56 session files."""
    session_urls = {ext: [f"{github}/{commit}/{folder}/{key}.{ext}" for key, (commit, folder, *_) in sorted(SESSIONS.items())] for ext in ("json", "npy")}
    # both outputs read every session's pair: the counts need each session's window length (its .json)
    pairs = tuple(url for pair in zip(session_urls["json"], session_urls["npy"]) for url in pair)
    converters = {"spike_counts.npz": partial(convert.spike_counts, sessions=SESSIONS), "units.json": partial(convert.units, sessions=SESSIONS)}
    files = []
    for path, (digest, size) in sorted(FILES.items()):
        if path.startswith("images/"):
            frame = int(path.removeprefix("images/scene_").removesuffix(".png"))
            files.append(FileSpec(path, digest, size, f"{s3}/{SCENE_TEMPLATES}/natural_scene_{frame}.tiff", convert.scene_tiff))
        else:
            files.append(FileSpec(path, digest, size, pairs[0], converters[path], pairs[1:]))
    return Manifest(name="allen_np", folder=FOLDER, files=tuple(files), origin=ORIGIN, rebuild=REBUILD)


# sha256 and size of every published file, computed from the reference copy (shared/data)
FILES = {
    "images/scene_000.png": ("b857441028176e75fe9ab4a1e4c5b623c95ddadd28c96d14c23bc9e3169478fb", 83818),
    "images/scene_001.png": ("af6f5b4d6a4ca5143cfb270558508b2595abba82fb6647e3856e6a49d0bada2c", 88259),
    "images/scene_002.png": ("207cb08c921bb96b2683ff89cb2b4c663bfbe47299bd885bcbd3f0733cb3143d", 74477),
    "images/scene_003.png": ("0d1a408608511063f4db140f7db5dc29acfb6ebd150a16c8d35261763a97de2e", 87304),
    "images/scene_004.png": ("7cbde738450bfb9a02df7af1bed1280f91efe67257205d2af2bc259acadd2a89", 65177),
    "images/scene_005.png": ("fdac0af17b3e2206b67634acb274d5eb50ffc88deb390b56aa237373650b57e2", 81680),
    "images/scene_006.png": ("6ae921d330fa1d2e4a9719910a11c3dccf7f7306b4cafc59408cd34a570d54f1", 83091),
    "images/scene_007.png": ("dbc9c42ac3fcd6e148fcb0b10dc04d1bae8d58e7b506ca67a373cf830a136956", 74402),
    "images/scene_008.png": ("437337b681278e9e4353affb24cae7bef7cc58e9da088c00da412327f818b413", 84532),
    "images/scene_009.png": ("e83745d8eb9cfed7bd8283bf83546beb92aacbac109ca02b859dea3db2a8c79b", 90779),
    "images/scene_010.png": ("03f95ab4beac2ea48b49b7a0f196fcdb4e011d3812461cf634997d90ec4e67ec", 101362),
    "images/scene_011.png": ("a5dc12faf3b627bdf3242bfa1e57135495c723e254631d6335372c98c05115fc", 85092),
    "images/scene_012.png": ("815f60ecf7828f3a4a0ae00864561bc6c358a670bc5a867447fb56b7ea863047", 80674),
    "images/scene_013.png": ("765dd0cbc5e502fe02de9370b9062fd207e8b1b7599c4861d55e354ced4eb01b", 93376),
    "images/scene_014.png": ("fd0e17ec160697abc144944da09220b772960c9b2d6219dff31b8c2960a79022", 79382),
    "images/scene_015.png": ("4f3889710f0076445ebf1c1f752cd051be4c806418e45b8e61c2fc1ea93aedcd", 84014),
    "images/scene_016.png": ("d49d2919f80c7b6511d5055f26058501ff22c0da22a8bc9c2813985174370e60", 91767),
    "images/scene_017.png": ("6f5a79a6b23957a21f57a9052e4e9eecd66157a0e9ed61aec39d2518a71044a6", 86536),
    "images/scene_018.png": ("9decf0b554cd2b022927bb345b51e49575893430a943c9fd7fbaddae75aed0c3", 55782),
    "images/scene_019.png": ("d7471a5ec2d500cf7e5412f042e499a5f2587df8cb7fcf0b43649b060be402e0", 40069),
    "images/scene_020.png": ("76cb85fd5a9f22a8fb4a0d183a6c85da713288b446c162167d00ac902e173cbb", 94390),
    "images/scene_021.png": ("23ed79e8c32fb251bc2250e809a151c35bfb5609fbca64354d62bd4282b04ca8", 69153),
    "images/scene_022.png": ("66304ca0b50ef924b504983e549bf1953c6a421b1dabf10dda542133dfe48dcf", 81104),
    "images/scene_023.png": ("2d07ee668b1e17ce392486f62f8b12824e1ab199c8ece39539066f7b16babaed", 79990),
    "images/scene_024.png": ("aa236508f7400b571144e2775da32dd035883100df001637c5e9187c13b680d0", 81848),
    "images/scene_025.png": ("70270960b54e7e903effdf9cfef2dd23130e82cfd943459c2b34de57a30b4fc4", 85120),
    "images/scene_026.png": ("208da2c4c9a2da907d6508b921514634b205326ca895c5f81d3217f654a7948c", 87976),
    "images/scene_027.png": ("f69937fc10c6d0533b0032df0c69ad3a09f2ff517dae7be0940b90497d204bd6", 93049),
    "images/scene_028.png": ("f80f4cc57bba5d5656649fd43217342aff9bf659dc5309f6c257db028eaf9e6d", 76739),
    "images/scene_029.png": ("388f92f829c88d5dac8b808b0671bffbc84430e9b97f414a7d0a33cc0ad9ccfd", 85759),
    "images/scene_030.png": ("117a72dff77597c153730e1e14edc374295c671da6c2005790ca622e3a4bf7c9", 62863),
    "images/scene_031.png": ("04be427dcd5a7dcd9e61e575650c8b9648a44346d4fd9c1dfeb1d2d914f31bbb", 86632),
    "images/scene_032.png": ("96382213424571653e4c33f3467c6cc6f941a8c2c6669eaad958aceee6a79e20", 91596),
    "images/scene_033.png": ("9bd609f6f7a988b2590b68a26161361a9d90f902db6d27c4552379cd7e0adc75", 76250),
    "images/scene_034.png": ("8444a80a40ce3d131f539a78da6a7cd8d34c30df59c8db84fa4a91f7b16cd694", 87414),
    "images/scene_035.png": ("7a5e489c472fc0e5c36ade219a50b5990c49d33d6bc35ff29817d84ed6baddcc", 80972),
    "images/scene_036.png": ("cc28f324106d2bc958998cd9f3286ff8f99aea38b0edff738cd5f45914717c07", 90752),
    "images/scene_037.png": ("233882365a1bd0bf486dc254850ec03ea731346c15cc190eb368f452a3bad2c6", 82467),
    "images/scene_038.png": ("06dfebbd2381c2ac767c4260efa0432c68cf26acdb9c9cc4092d5d4c6a5ed246", 101549),
    "images/scene_039.png": ("16ac3808b0e8ff48f23ec616cc6b0f89938245047a8df9551f2a297829067913", 98299),
    "images/scene_040.png": ("69a9a2f728839d702b45794309b9d7b4309e6495379b055cade56f5f14c5e100", 63933),
    "images/scene_041.png": ("d49f1aa3fa9bb78ba21e7eb8834f7ad2c35cc0d3b9991dc2f6b9703fdfcc8819", 71885),
    "images/scene_042.png": ("09a226c8caacf342600255cca0d3c83d74244065839af31b11bffcef9843e4fe", 67367),
    "images/scene_043.png": ("15bb43a2b1511a75407b0b625f35beb1c37837452b636b4d610249771e1a480f", 82690),
    "images/scene_044.png": ("a1bb566545b8f895dc089e1c3df49d5cc8dcc71e5c48b25823df61425d01d944", 60329),
    "images/scene_045.png": ("6ef97e0b8ec3ce1e66fb92c8d36768ab9f19e3d262a8d032322b14fcf6a1f8e6", 77496),
    "images/scene_046.png": ("689ba69f3b24c77b08cc1695cb9e4fe178fa12f6d123548dcf731cd02b3091d2", 84680),
    "images/scene_047.png": ("f6d0a7acf63125d8124f35400c935fe4516de12859a0fd6f76bce7ea9326549b", 90389),
    "images/scene_048.png": ("20a6664ff3be19abcf9341e998da6290fa65688bb9d9a7d8791a8035feb8e3ae", 84994),
    "images/scene_049.png": ("87998697fba3049f6d810de625ec55c63622399e0571067c368dfd9c8bc8022d", 84101),
    "images/scene_050.png": ("5698651864a35c8a217e625908240f7bf1e67162b8d9beb91a12cc4feb5e1255", 67252),
    "images/scene_051.png": ("08824c2088a4362b68976d9ae8a4113d591ffa7e8ce3ead82a02f79210e8814c", 82534),
    "images/scene_052.png": ("03b5d998f6c1d3ba4b3ff90820b7bc71a21370165f48a60003f7ef77e4303486", 57558),
    "images/scene_053.png": ("6e7554682f2de363055e92cab6c37950638fd86be131cbc8ed133f57ff5c1d37", 61880),
    "images/scene_054.png": ("98777cfcb8c2973660b03fffa0aaafe904ff48927d0fdd30ac5c71fe2a7550bf", 76711),
    "images/scene_055.png": ("75298218e9bc539e3e1306a00097566cae43de556cf99c3a67cb796bd73c6960", 67222),
    "images/scene_056.png": ("c2be6a7efe835019be9055af62c82869fe5b085a41b7830e195238707286bdb5", 64621),
    "images/scene_057.png": ("7f73e67795f5915e51ae6f51e884f439e2843e2925849e07e0800d9f286f60ce", 63541),
    "images/scene_058.png": ("172fca61e8d1444936c533a52b0d3dc661c9581feb1dc1bab3ec9998d2b66dc9", 97670),
    "images/scene_059.png": ("146d390f7a236fbf14c21fff8b30820bb89d63aac6282a672a62db59d178c27c", 627592),
    "images/scene_060.png": ("587f1f20154b9e43672ce543392718af59f78b2a939d3f735d9aa0bade0b18bc", 560513),
    "images/scene_061.png": ("1dae79a66fd01a8fcb9cbe89bf3536cb208a8bbc797b639f0c559ac114a68603", 532723),
    "images/scene_062.png": ("c0329227d9fadc7f0fb0b978b012d45112c3f46fe6ba68d87d8713986414f12b", 520579),
    "images/scene_063.png": ("c9fadf9d719459fa6be11cb94a3367c22175ff9da9ca5e5fe0d4102432180cac", 491194),
    "images/scene_064.png": ("9fb6962a2323eadf6c76659512e2ac305103db1b419913b9e7501347284d1fba", 564944),
    "images/scene_065.png": ("d326675f995f225824864d8a6aaef92d89ca3bd9649d71fae692b5ef4d07d658", 424772),
    "images/scene_066.png": ("c5a4e43888806d4ed4a9e4c74d63415198538cba391c7b759fd9fe1d10c7ff11", 468748),
    "images/scene_067.png": ("6217e46ac224dede77436a28975c62360b8f587a2252abe8bdc5f07f0aeaad04", 495094),
    "images/scene_068.png": ("65e78520cb8c5e4699f476be7d884eb90a4334f2760c3b0ab8330fedde5c6ecd", 464727),
    "images/scene_069.png": ("ce86b1a7e578d97820be1f79bb7c0707ec457dffab2ac04745526ef1f29158d0", 441562),
    "images/scene_070.png": ("f46b80c1cd542adeda9768d694fcc24485867ab8a67b74345475eb0c595cb76f", 648917),
    "images/scene_071.png": ("a5f6f16ac29c3337d015bba378371742fa972c404e52e2ed9a47f7bfaa717b16", 485974),
    "images/scene_072.png": ("f637f1c38948f2bcd34910b7a17068748953daf3b84146f90314d7f7a62b082e", 531278),
    "images/scene_073.png": ("5d9cdeeb68ae174ed0f054b97636a251d3f79b4697105650ac62bf39dc0809ea", 455355),
    "images/scene_074.png": ("aa600d7b17f96ee28f7973ae1627bcc5f8db9681e13dc0368f842b15ad6a8aa1", 577428),
    "images/scene_075.png": ("f6ffe41b9cb9d3da17d0a04e0cbbc7c45346ae2f778322cccfd43aecc2a72081", 537321),
    "images/scene_076.png": ("20a292aa53644dc479f5e140e19f2ef545fc1c2c16ee36b1fac8875801904891", 693877),
    "images/scene_077.png": ("9f0f669b3e2a17070a829366072d46ab0f22f45dbe4ed1e22a25282e34428083", 466752),
    "images/scene_078.png": ("042d0cda0a48e87f212d845d1c3bead997200a9cd6c419a5b461bbbf52cdd579", 736884),
    "images/scene_079.png": ("bad00e5ddbe3ef29cea6b1df88f518376554b9aa3e46cb056456c50841433f43", 481863),
    "images/scene_080.png": ("c1768d88a0f6061ee527dbce16004e1a21d3ef013f4bf4f0cec9bcd0cf2111a9", 584743),
    "images/scene_081.png": ("8925c181d89419bbac5e2c7bd66b45fb301e030191330da09242adb5330ad085", 454732),
    "images/scene_082.png": ("2c484a9978c3c1b54dfc1f21b856c332c578eaeb0c24919bd11a7b8db9c69314", 698733),
    "images/scene_083.png": ("1d11e8f6de2cd77854c28e55d90e36c69094b9b9067e056f9bd945b5cbdff5d6", 619117),
    "images/scene_084.png": ("43f574af81c7dd36c60ffb35bcbae99ecc3509a3a2b4b67dab2b6aee4a3e660c", 685569),
    "images/scene_085.png": ("2a3a48ef9889fa25e80c0e9b83c5205a5727a5358b74bde5f2baf0586c1d495d", 388946),
    "images/scene_086.png": ("8d7b7ab03ec5aabf24cf17a27acbf1f1c6baaa81c015c719d6e0f4d78b12c415", 538386),
    "images/scene_087.png": ("8ba6f12962da085e90ec5bdbe497a0e19db561a20144990c0069308f95e2210e", 490371),
    "images/scene_088.png": ("04b2ad6e125335a10bfcf6ab8de331c5f39c6636943c337c70812d152c88a710", 682513),
    "images/scene_089.png": ("8ad71648780bfee7e1eba001d5547b3a9a97db78e078f315a637846387f95077", 623493),
    "images/scene_090.png": ("059363f7493421595f699ad023340bdac9c01afa334193d376a6b4d8929feeaa", 655521),
    "images/scene_091.png": ("2b6c120964bddf6aae77e0d457d901002e2b34c22be0cfbd43059ea1006b1f37", 633366),
    "images/scene_092.png": ("d6b90cfd216e71186fedd55dca66a1705d70166edfd911293b19852e7bc3417d", 534346),
    "images/scene_093.png": ("84d80a27e0f416068f181a42084b7554d1b1e7426f51cae6acba87a42f2d9e38", 508939),
    "images/scene_094.png": ("cb8ed13b63a4d4010b2c37129df8c6929254f90738fef0161a2227f6d373ec94", 523597),
    "images/scene_095.png": ("8f040059c3ffb15b829715d01724d377285d1d4d6f49171b70a5d9769656bdcd", 611817),
    "images/scene_096.png": ("ba29d444f47857f71914da641a034ab476593943161ab927a2a6245665669cf2", 606832),
    "images/scene_097.png": ("0eee4cbc37069cc6f690d58c08c62edb0d083648c7b7b87f00f8db5d48efba11", 708853),
    "images/scene_098.png": ("703967ca58624c794a95f164f7fd26f8ff98fcd2db8e7872c9117a45b0d1417e", 655161),
    "images/scene_099.png": ("0a0d7979fc602aa219b77ea9c36e68be96fb9bfb982843917f67c6d488a96656", 658738),
    "images/scene_100.png": ("704e5d9f7d7f48d88a4a1d8ef68822479ebd91b1510455331cdd8188a8879d2c", 601050),
    "images/scene_101.png": ("c53b17f1e5198e0f334f89ac712692d3e52b89de0d245db9bc41316b07b959dd", 703117),
    "images/scene_102.png": ("905b34ade1470c8341973f85af40e51f25419eb9886fd5a6b980255c61917dc0", 132817),
    "images/scene_103.png": ("1f48b5aeed5a9d0e7b5f135c6419bbc7316adfd2847ff3e67687e05d7db9c495", 204941),
    "images/scene_104.png": ("6004759a3b73083e94018c3ed4707fc7318a14a6a78af58e30a6478e38489c0f", 197392),
    "images/scene_105.png": ("8eb85e50e6cd917ac1454bbe055be52b68e921ec1a22cb05b4aa511ef42f3884", 169419),
    "images/scene_106.png": ("48ee0ded17da56b154889d23a3283325760fd6d2b80ec82277ba6d82e1a0e10d", 196611),
    "images/scene_107.png": ("e20870a86086e889233fefeedfb0764295060d375596d3cf40b5caf5d01e9a03", 196990),
    "images/scene_108.png": ("2c5df2fc7712ba1019c900c0d32106b8289fbd9d5b731fb088b2e8a2a211de6d", 187549),
    "images/scene_109.png": ("67ec6ee7e941b8f79d301e0e53c868139d903197edc47cea3550a114b9492997", 144817),
    "images/scene_110.png": ("e467925d16be53e1b7ccbd488856a7cf18bcd1975c09bfe011520b913e371a66", 177662),
    "images/scene_111.png": ("07fa14e94d1288208bc2bf516e7559beedbba12cee3198af781452bcd9654a2b", 148502),
    "images/scene_112.png": ("15a472dd2fb4e42853065ef0d5047ba9ddc5602babaf19d17448ad51e1fac87f", 171613),
    "images/scene_113.png": ("3d344e561d9c01f8b41032c41a829d3914dadcc870707cb27e847cff8b16edcc", 158637),
    "images/scene_114.png": ("ded0b229d5569d246d15ad1631368367b9da2e14cb6c144abca6b90b6249c128", 158106),
    "images/scene_115.png": ("3ff6e2fefa67baec593265d3293cfcb17aa6a5ddd8981ee2685fa2fee5f91cff", 151344),
    "images/scene_116.png": ("f5194b894e5e2de1a1b124f73b2574d4ca1acddbda489596ffd0a6985b6670bc", 201398),
    "images/scene_117.png": ("9287db63388ded86a7b8e51ac1b2a2330767efb67b07b2a4ec923b0b1d0710e9", 220142),
    "spike_counts.npz": ("780d0cbc554ff5f68a66049a767bc7b104b04e7434f2033f6862ef49d1d92f16", 7886732),
    "units.json": ("a42aae33aaab1b1be47d6f5d7bf263f7be5ab698892df7dcd1c55be704e0cc8f", 93212),
}

#: session key -> (commit, folder, sha256[:16] of the uint8 counts, sha256[:16] of the json.dumps metadata)
SESSIONS = {
    "AL_717038288": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "33d5eb3eb810187c", "b559aea0f14902f0"),
    "AL_726141251": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "eec74a541eb06e89", "077c1335734fc099"),
    "AL_735109609": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "eecc509c74455625", "d5e3d428f6fa4569"),
    "AL_738651054": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "a04f091577573ec4", "07d1fee8796280f3"),
    "AL_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "f73a0f584464ac36", "3e50d523fbc9eb0f"),
    "AL_745276236": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "51530311bc46b0bd", "7da8ea7acb0b463d"),
    "AL_757329624": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "706d760655023615", "477df128cbd1a1e2"),
    "AL_775876828": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "0bfadadb59b75555", "d654ff25e4a5af85"),
    "AM_730756780": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "5f5fcd3973e4bc83", "147d7d3f9e77b2aa"),
    "AM_730760270": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "2722e9830ae44f36", "d97f3157c9953a26"),
    "AM_732548380": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "f7247e88cf1b4bbb", "48001fcb6edacac6"),
    "AM_734865738": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b26ec8dfe57b43ee", "1b2b12b42c78a400"),
    "AM_738651054": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "e72a6b22e2888163", "a3bf11e721f12f07"),
    "AM_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "17407f322a06f79d", "0d5ec5ba2d63abe8"),
    "AM_742602892": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "5d3754a1dc825217", "80e560140368782f"),
    "AM_775876828": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "27f46d6eeb8be0a3", "10fd112056410e4d"),
    "LM_699733581": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "332ea163bf1d82e7", "acaf75ce60c3bbc3"),
    "LM_723627604": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "fc63068d8259f934", "a9c4695f3cc1d197"),
    "LM_726141251": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "b67ef8f52fa9bcca", "50dac3a2d5b1196a"),
    "LM_733457989": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "9f7f0a10d3f09506", "4b629c10326e1557"),
    "LM_739783171": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "eb89df682e113afd", "49aa67d0cbdc3cb7"),
    "LM_745276236": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "e8b3f09cd8a895dd", "c2f7169e2607ad4d"),
    "LM_769360779": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "6ef4f2a45895e469", "397de61e61a10a5b"),
    "LM_775876828": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "20a47804841f6ec4", "7c689c2151fe2d73"),
    "LM_776061251": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "6b7c73e3a8a45b5c", "cecc9d3e09ce4ee1"),
    "PM_717038288": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "d7a167f78f47376f", "90fb176e8340bca2"),
    "PM_726170935": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "17f25531419daa5a", "00e86da562936470"),
    "PM_730760270": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "11848188c2daa453", "54a579cc0d648e5a"),
    "PM_734865738": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b0a8ae0ed0f0d5ec", "a5ca540d8f053dda"),
    "PM_738651054": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "55f64e99a54c04fb", "5a6213c81ec4629d"),
    "PM_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "a8aea361f172aa8d", "6844271b20617f30"),
    "PM_740268986": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "1974b4acb064fed1", "cfc73c3e58bf18e3"),
    "PM_742714475": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "aa80a7b019ba2594", "ad24b1d08b2b5770"),
    "RL_699733581": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "af5117d0ad7e1848", "d9e455f16cd3aae2"),
    "RL_716813543": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b1aad13af47a2480", "6e22907eff615c49"),
    "RL_718643567": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "c646805e16e40e0e", "40a06c51ac285925"),
    "RL_722882755": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "61da3f7357b5af10", "9ab4f13855322254"),
    "RL_723627604": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "b5f490d41a3b9c9c", "4dd9cbf703f7f427"),
    "RL_732548380": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "b6e1350ffbc374ea", "cea9271fea3a56ac"),
    "RL_738651054": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "0e3f1636bc3a8460", "44910ca39861bba2"),
    "RL_742714475": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "c1ca8a554a11ad8a", "68d7a41d6439dfb7"),
    "RL_744915204": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "9af8aad8b1a6aa74", "83117540455ba619"),
    "V1_717038288": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "876c29dd1df69a1c", "2c3e2cddcd2eb7d8"),
    "V1_719828690": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "f9acc7593db95b44", "34a17ad615160fc8"),
    "V1_726298253": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "7540d1217bb250a5", "eb1b273afb6c4017"),
    "V1_730756780": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "2f6052f6415edbe2", "0bfb60f247076cd0"),
    "V1_733457989": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "43994ad28a0218bf", "3517d60a56723c60"),
    "V1_738651054": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "8ccf4b9cd12c5715", "990d4ee8847812a2"),
    "V1_739783171": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "b15d8a35f7fc93a6", "98ef3f32d3206569"),
    "V1_742602892": ("c8dee6ac87182a000ab38d504bd5e5e3dcd66ae3", "PreprocData/PreprocData", "6850e633bdfe3231", "7f54bae8fa565427"),
    "V1_744915204": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "ed4b41ab4749e6dc", "67b01679e7851292"),
    "V1_745276236": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "fc6a3d8c75875dad", "b3c2c548ab4d5c5f"),
    "V1_769360779": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "d7c2b407bef978d6", "6ad3d1537b6cfba2"),
    "V1_772616823": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "87550107d975a7e9", "c24f36760a342c75"),
    "V1_775876828": ("964fc6da7bcc1eeb495073cb0e7522b6bf29c867", "allen-data-clean/data", "b64b8ffa9973ba29", "e9bc93e1ae90926b"),
    "V1_776061251": ("ca9d1dee5bb84601f75d6b7ebfd169d35a1e8beb", "allen-data-clean/PreprocData", "5c526f3337bdfd19", "6281831f5f1be4e0"),
}

MANIFEST = build_manifest()
