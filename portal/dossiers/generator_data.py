"""Reference data for the synthetic dossier generator.

Procedure codes, names and processing times come from the national catalog (the mid-2026 snapshot
the portal imports) and are used when the Procedure table is empty. Province letter codes are real (Hxx,
mã định danh cấp 1); the commune units and their lower-level code digits are illustrative.
Supplement documents are typical requests for each procedure, phrased as a desk officer would.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcedureSpec:
    """A common procedure: who handles it, in how many working days, for which fee."""

    code: str
    name: str
    agency: str  # commune_police | commune_ubnd | province_justice | province_immigration | province_traffic
    working_days: int
    fee_in_person: int
    fee_online: int
    weight: int  # relative frequency among citizens' dossiers
    supplements: tuple[str, ...]


PROCEDURES: tuple[ProcedureSpec, ...] = (
    ProcedureSpec(
        "1.014061",
        "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên",
        "commune_police",
        7,
        0,
        0,
        14,
        ("Giấy khai sinh (bản sao)", "Giấy tờ chứng minh nơi cư trú hiện tại"),
    ),
    ProcedureSpec(
        "1.014063",
        "Cấp đổi thẻ căn cước",
        "commune_police",
        7,
        50_000,
        25_000,
        10,
        ("Thẻ căn cước công dân cũ", "Giấy tờ chứng minh thông tin thay đổi"),
    ),
    ProcedureSpec(
        "1.014064",
        "Cấp lại thẻ căn cước",
        "commune_police",
        7,
        70_000,
        35_000,
        6,
        ("Đơn trình báo mất thẻ căn cước",),
    ),
    ProcedureSpec(
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        "commune_ubnd",
        0,
        0,
        0,
        9,
        ("Giấy chứng sinh (bản chính)", "Giấy chứng nhận kết hôn của cha mẹ (bản sao)"),
    ),
    ProcedureSpec(
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        "commune_ubnd",
        1,
        0,
        0,
        5,
        ("Giấy xác nhận tình trạng hôn nhân của bên nam", "Giấy xác nhận tình trạng hôn nhân của bên nữ"),
    ),
    ProcedureSpec(
        "1.000656",
        "Thủ tục đăng ký khai tử",
        "commune_ubnd",
        1,
        0,
        0,
        3,
        ("Giấy báo tử hoặc giấy tờ thay giấy báo tử",),
    ),
    ProcedureSpec(
        "1.004873",
        "Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        "commune_ubnd",
        3,
        0,
        0,
        6,
        (
            "Bản án hoặc quyết định ly hôn đã có hiệu lực (bản sao)",
            "Giấy xác nhận tình trạng hôn nhân đã cấp trước đây",
        ),
    ),
    ProcedureSpec(
        "1.004222",
        "Đăng ký thường trú",
        "commune_police",
        7,
        20_000,
        10_000,
        9,
        ("Giấy tờ chứng minh chỗ ở hợp pháp", "Văn bản đồng ý cho đăng ký thường trú của chủ hộ"),
    ),
    ProcedureSpec(
        "1.004194",
        "Đăng ký tạm trú",
        "commune_police",
        3,
        15_000,
        7_000,
        8,
        ("Hợp đồng thuê nhà có xác nhận", "Văn bản đồng ý cho đăng ký tạm trú của chủ nhà"),
    ),
    ProcedureSpec(
        "3.000333",
        "Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam, "
        "người Việt Nam đang cư trú ở nước ngoài",
        "province_justice",
        10,
        200_000,
        200_000,
        6,
        ("Tờ khai yêu cầu cấp Phiếu Lý lịch tư pháp (Mẫu số 02/2025/LLTP)", "Văn bản ủy quyền có chứng thực"),
    ),
    ProcedureSpec(
        "3.000347",
        "Đổi giấy phép lái xe",
        "province_traffic",
        5,
        135_000,
        115_000,
        5,
        ("Giấy khám sức khỏe của người lái xe", "Bản sao giấy phép lái xe cũ"),
    ),
    ProcedureSpec(
        "1.001456",
        "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)",
        "province_immigration",
        8,
        200_000,
        160_000,
        5,
        ("Ảnh chân dung cỡ 4x6 cm, phông nền trắng", "Tờ khai đề nghị cấp hộ chiếu (mẫu TK01)"),
    ),
    ProcedureSpec(
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        "commune_ubnd",
        3,
        150_000,
        0,
        3,
        ("Giấy đề nghị đăng ký hộ kinh doanh", "Biên bản họp thành viên hộ gia đình"),
    ),
    ProcedureSpec(
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp "
        "hoặc chứng nhận",
        "commune_ubnd",
        0,
        10_000,
        10_000,
        4,
        ("Bản chính giấy tờ cần chứng thực",),
    ),
    ProcedureSpec(
        "3.000228",
        "Cấp tài khoản định danh điện tử mức độ 02, căn cước điện tử cho công dân Việt Nam (cấp xã)",
        "commune_police",
        3,
        0,
        0,
        4,
        ("Ảnh chân dung chụp tại cơ quan Công an",),
    ),
    ProcedureSpec(
        "1.013076",
        "Cấp chứng nhận đăng ký xe, biển số xe trong trường hợp thay đổi chủ xe (đăng ký sang tên xe)",
        "commune_police",
        2,
        150_000,
        150_000,
        3,
        ("Chứng từ chuyển quyền sở hữu xe (bản chính)", "Chứng từ lệ phí trước bạ"),
    ),
)


@dataclass(frozen=True)
class Province:
    """A province with its real level-1 code and a few of its (post-2025) communes and wards."""

    letter_code: str  # Hxx
    name: str
    center_unit: str  # code of the provincial public administration service centre
    communes: tuple[tuple[str, str], ...]  # (unit code, "phường X" / "xã Y")


PROVINCES: tuple[Province, ...] = (
    Province(
        "H26",
        "thành phố Hà Nội",
        "000.00.01.H26",
        (
            ("000.20.11.H26", "phường Ba Đình"),
            ("000.21.14.H26", "phường Hoàn Kiếm"),
            ("000.22.17.H26", "phường Cầu Giấy"),
            ("000.23.20.H26", "phường Đống Đa"),
            ("000.24.23.H26", "phường Hà Đông"),
            ("000.25.26.H26", "xã Sóc Sơn"),
        ),
    ),
    Province(
        "H29",
        "Thành phố Hồ Chí Minh",
        "000.00.01.H29",
        (
            ("000.20.11.H29", "phường Sài Gòn"),
            ("000.21.14.H29", "phường Bến Thành"),
            ("000.22.17.H29", "phường Tân Định"),
            ("000.23.20.H29", "phường Gò Vấp"),
            ("000.24.23.H29", "phường Thủ Đức"),
            ("000.25.26.H29", "xã Củ Chi"),
        ),
    ),
    Province(
        "H56",
        "tỉnh Thanh Hóa",
        "000.00.01.H56",
        (
            ("000.17.22.H56", "phường Hạc Thành"),
            ("H56.14", "phường Sầm Sơn"),
            ("H56.15", "phường Bỉm Sơn"),
            ("000.18.25.H56", "xã Hoằng Hóa"),
        ),
    ),
    Province(
        "H38",
        "tỉnh Lào Cai",
        "000.00.01.H38",
        (("000.20.11.H38", "phường Lào Cai"), ("000.21.14.H38", "phường Sa Pa"), ("000.22.17.H38", "phường Yên Bái")),
    ),
    Province(
        "H55",
        "tỉnh Thái Nguyên",
        "000.00.01.H55",
        (("H55.242", "phường Phan Đình Phùng"), ("H55.243", "phường Phổ Yên"), ("H55.244", "phường Đức Xuân")),
    ),
)
PROVINCE_WEIGHTS = (30, 32, 16, 10, 12)

FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
)
MALE_MIDDLE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Gia", "Công", "Xuân", "Hoàng")
FEMALE_MIDDLE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Hồng", "Khánh", "Phương", "Mai")
MALE_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
    "Hải",
    "Đạt",
    "Hiếu",
    "Kiên",
)
FEMALE_GIVEN = (
    "Anh",
    "Chi",
    "Dung",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Trang",
    "Vy",
    "Yến",
    "Hằng",
    "Tâm",
)
# Province-of-birth prefix of the 12-digit personal ID number (001 Hà Nội, 079 TP.HCM, 038 Thanh Hóa, ...).
ID_PREFIXES = ("001", "079", "038", "010", "019", "034", "036", "040", "031", "037")
PHONE_PREFIXES = (
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "032",
    "033",
    "035",
    "038",
    "070",
    "077",
    "081",
    "085",
)

REJECTION_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị",
    "Thành phần hồ sơ không đúng quy định",
    "Thông tin kê khai không khớp với Cơ sở dữ liệu quốc gia về dân cư",
)
STOP_REASONS = (
    "Quá hạn bổ sung giấy tờ theo yêu cầu",
    "Có văn bản đề nghị tạm dừng của cơ quan có thẩm quyền",
)
