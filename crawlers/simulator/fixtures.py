"""Realistic changes for the demo and the tests: a revision of the 深圳 plan and a brand-new plan.

The new plan below is written for policywatch (it is not a real document); its title says so in
the issuer line of the simulated site. The revision edits the real 深圳 seed the way revisions
usually look: a target raised (产业规模 figures) and one paragraph added.
"""

from __future__ import annotations

from dataclasses import dataclass

# The revision: 2023 targets raised, plus a paragraph on 算力 (computing power) support.
_REVISION_EDITS: tuple[tuple[str, str], ...] = (
    ("人工智能核心产业规模突破300亿元,带动相关产业规模达到6000亿元。",
     "人工智能核心产业规模突破500亿元,带动相关产业规模达到8000亿元。"),
)
_ADDED_PARAGRAPH = (
    "  到2023年,全市新建智能算力规模达到1000PFLOPS,建设不少于3个公共算力服务平台,"
    "面向中小企业开放算力资源,算力服务费用补贴比例最高不超过30%。"
)
_ANCHOR = "人工智能核心产业规模突破500亿元,带动相关产业规模达到8000亿元。"


def demo_revision_text(original: str) -> str:
    """The 深圳 seed text revised: 2023 产业规模 targets raised and a 算力 paragraph added.

    Raises ValueError if ``original`` does not contain the passages being revised.
    """
    revised = original
    for old, new in _REVISION_EDITS:
        if old not in revised:
            raise ValueError(f"passage to revise not found: {old[:30]}…")
        revised = revised.replace(old, new, 1)
    line_end = revised.index(_ANCHOR) + len(_ANCHOR)
    next_newline = revised.find("\n", line_end)
    if next_newline < 0:
        return revised + "\n" + _ADDED_PARAGRAPH
    return revised[: next_newline + 1] + _ADDED_PARAGRAPH + "\n" + revised[next_newline + 1 :]


NEW_PLAN_TEXT = """广州市南沙区人民政府办公室关于印发南沙区促进人工智能大模型应用创新若干措施的通知
穗南府办〔2026〕9号
各镇人民政府、街道办事处,区政府各部门、各直属机构:
《南沙区促进人工智能大模型应用创新若干措施》已经区人民政府同意,现印发给你们,请认真组织实施。实施中遇到的问题,请径向区工业和科技信息化局反映。
广州市南沙区人民政府办公室
2026年3月2日
南沙区促进人工智能大模型应用创新若干措施
为贯彻落实国家关于深入实施"人工智能+"行动的部署,抢抓大模型技术迭代和产业化机遇,推动人工智能与先进制造、航运物流、跨境贸易等南沙优势产业深度融合,结合本区实际,制定以下措施。
一、发展目标
到2027年,全区人工智能核心产业规模突破200亿元,集聚人工智能企业300家以上,其中营业收入超亿元企业30家以上;建成智能算力规模达到2000PFLOPS,打造行业大模型10个以上、典型应用场景100个以上,建成粤港澳大湾区人工智能应用示范区。
二、主要措施
(一)支持算力基础设施建设。对在本区新建智能计算中心且算力规模达到100PFLOPS以上的项目,按设备投资额的10%给予补助,单个项目最高不超过2000万元。
(二)降低企业用算成本。设立算力券,对区内中小企业租用智能算力服务的费用,按实际支出的30%给予补贴,每家企业每年最高50万元。
(三)鼓励行业大模型研发。对完成国家生成式人工智能服务备案的大模型,给予研发团队一次性奖励300万元;对面向航运、物流、制造等领域开发行业大模型并实现商业化应用的企业,按研发投入的20%给予资助,最高不超过500万元。
(四)开放应用场景。每年发布人工智能应用场景清单不少于20项,对入选区级标杆场景的项目,按项目合同金额的15%给予奖励,最高100万元。
(五)建设高质量数据集。支持企业与港口、医院、学校等单位联合建设行业数据集,对经评估达到高质量标准的数据集,每个给予最高200万元资助。
(六)引育高端人才。对人工智能领域的领军人才团队,经认定后给予最高1000万元综合资助,并在人才住房、子女入学等方面提供便利。
(七)强化金融支持。设立规模10亿元的人工智能产业投资基金,重点投向大模型、智能芯片和具身智能等领域的初创企业。
三、保障措施
(一)加强统筹协调。由区工业和科技信息化局牵头,会同区发展改革局、财政局等部门建立工作机制,定期调度重点项目进展。
(二)加强安全治理。督促企业落实数据安全和个人信息保护责任,建立人工智能安全风险监测和应急处置机制。
(三)做好政策评估。区工业和科技信息化局每年对措施实施情况进行评估,根据评估结果适时调整。
本措施自印发之日起施行,有效期至2028年12月31日。同一项目符合本区多项扶持政策的,按照就高不重复原则执行。
"""


@dataclass(frozen=True)
class PlanFixture:
    """A document ready for ``SimulatedSites.publish``."""

    site_id: str
    doc_id: str
    title: str
    text: str
    date: str
    doc_number: str | None
    issuer: str | None


NEW_PLAN = PlanFixture(
    site_id="nansha",
    doc_id="7302",
    title="广州市南沙区人民政府办公室关于印发南沙区促进人工智能大模型应用创新若干措施的通知",
    text=NEW_PLAN_TEXT,
    date="2026-03-02",
    doc_number="穗南府办〔2026〕9号",
    issuer="广州市南沙区人民政府办公室",
)

# Which seed the demo revises.
DEMO_REVISION_SITE = "shenzhen"
DEMO_REVISION_DOC = "6843"
